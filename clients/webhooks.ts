import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { guardedLookup, refuseNonPublic, webhookHost, WebhookRefusedError } from './webhook-target';

export interface SendWebhookInput {
  url: string;
  /** The member's signing secret, `whsec_<base64>`. */
  secret: string;
  /** The same on every attempt at one event, so a receiver can drop duplicates. */
  webhookId: string;
  /** Sent as JSON. */
  payload: unknown;
  /** One attempt, connect to response headers. */
  timeoutMs: number;
  /**
   * Let the connection reach non-public addresses (local and test stacks). Off by default: a host name
   * resolving to a private address is refused at connect time, with WebhookRefusedError.
   */
  allowPrivate?: boolean;
}

/**
 * One delivery attempt failed in a way another attempt may not: the receiver could not be reached,
 * did not answer in time, or answered other than 2xx. Retryable. The message names the status or
 * the error code, never the URL or the secret.
 */
export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';

  constructor(
    message: string,
    /** The receiver's HTTP status, when it answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

const USER_AGENT = 'inference.club-webhooks/1';

/**
 * POSTs `payload` as JSON to `url`, signed by the Standard Webhooks scheme (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature` headers, by the `standardwebhooks` library). Resolves on a
 * 2xx; throws WebhookDeliveryError (retryable) on a network error, a timeout or any other status
 * (redirects are not followed), and WebhookRefusedError (permanent) for a URL or address the platform
 * will not call. Each attempt is signed afresh with the current time, as receivers refuse old ones.
 */
export async function sendWebhook(input: SendWebhookInput): Promise<void> {
  const { url, secret, webhookId, payload, timeoutMs, allowPrivate = false } = input;
  const host = webhookHost(url);
  // An address literal never goes through the connection's lookup: judge it here.
  if (!allowPrivate && isIP(host)) refuseNonPublic(host);
  const body = JSON.stringify(payload) ?? 'null';
  const now = new Date();
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'user-agent': USER_AGENT,
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(webhookId, now, body),
  };
  const signal = AbortSignal.timeout(timeoutMs);
  let response: IncomingMessage;
  try {
    response = await post(url, body, {
      method: 'POST',
      headers,
      signal,
      // One connection per attempt: nothing pooled outlives the activity, and every connect is checked.
      agent: false,
      lookup: guardedLookup({ allowPrivate }),
    });
  } catch (err) {
    if (err instanceof WebhookRefusedError) throw err;
    if (signal.aborted) throw new WebhookDeliveryError(`The webhook receiver did not answer within ${timeoutMs} ms.`);
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
    throw new WebhookDeliveryError(`The webhook receiver could not be reached (${code}).`);
  }
  // The body is not read: only the status counts.
  response.resume();
  response.on('error', () => undefined);
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    response.destroy();
    throw new WebhookDeliveryError(`The webhook receiver answered ${status}.`, status);
  }
}

function post(url: string, body: string, options: RequestOptions): Promise<IncomingMessage> {
  const request = new URL(url).protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, options, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

import { checkWebhookUrl, WebhookRefusedError, WebhookUnresolvedError } from '../../clients/webhook-target';
import type { Config } from '../../config/config';
import { badRequest } from './api-error';

/**
 * Checks a job's `webhook` URL when the job is submitted (scheme, host, public addresses only unless
 * WEBHOOK_ALLOW_PRIVATE): a URL the platform would not call is a 400 naming the field (`param`),
 * before anything starts. Delivery checks it again, as the name may be re-pointed meanwhile.
 */
export async function assertWebhookParam(
  url: string,
  config: Pick<Config, 'webhooks'>,
  param = 'webhook',
): Promise<void> {
  try {
    await checkWebhookUrl(url, { allowPrivate: config.webhooks.allowPrivate });
  } catch (err) {
    if (err instanceof WebhookRefusedError || err instanceof WebhookUnresolvedError) {
      throw badRequest(err.message, { param, code: 'invalid_webhook_url' });
    }
    throw err;
  }
}

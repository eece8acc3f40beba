import { send, type SendInit } from './http-transport';
import { TaskFailure, describe, safeUrl, type FailureType } from './task-failure';

/**
 * Whose fault a failed transfer is: the platform's storage (the task's presigned URLs: the
 * request ends 503 and the provider is not blamed) or the member's local server (a 502).
 */
export type TransferFrom = Extract<FailureType, 'storage_unavailable' | 'upstream_error'>;

/**
 * Downloads a whole file. `what` names it in errors ("input 'image' (cat.png)"), since the
 * URL itself may only be shown without its query string.
 */
export async function getBytes(
  url: string,
  what: string,
  signal: AbortSignal,
  from: TransferFrom = 'storage_unavailable',
): Promise<Buffer> {
  const res = await request(url, `download ${what}`, { signal }, from);
  try {
    return Buffer.from(await res.arrayBuffer());
  } catch (err) {
    if (signal.aborted) throw err;
    throw new TaskFailure(from, `could not download ${what} from ${safeUrl(url)}: ${describe(err, url)}`);
  }
}

/** Uploads a whole file to the platform's storage; `send` declares its length, which S3 presigned PUTs require. */
export async function putBytes(
  url: string,
  what: string,
  bytes: Buffer,
  contentType: string,
  signal: AbortSignal,
): Promise<void> {
  const res = await request(
    url,
    `upload ${what}`,
    { method: 'PUT', headers: { 'content-type': contentType }, body: bytes, signal },
    'storage_unavailable',
  );
  await res.arrayBuffer().catch(() => undefined);
}

async function request(
  url: string,
  action: string,
  init: SendInit & { signal: AbortSignal },
  from: TransferFrom,
): Promise<Response> {
  let res: Response;
  try {
    res = await send(url, init);
  } catch (err) {
    if (init.signal.aborted) throw err;
    throw new TaskFailure(from, `could not ${action} at ${safeUrl(url)}: ${describe(err, url)}`);
  }
  if (res.ok) return res;
  const text = await res.text().catch(() => '');
  // Only S3's error code: its other fields can echo the signed request back.
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
  throw new TaskFailure(from, `could not ${action} at ${safeUrl(url)}: HTTP ${res.status}${code ? ` (${code})` : ''}`);
}

import { send, type SendInit } from './http-transport';
import { TaskFailure, describe, safeUrl } from './task-failure';

/**
 * Downloads a whole file. `what` names it in errors ("input 'image' (cat.png)"), since the
 * URL itself may only be shown without its query string.
 */
export async function getBytes(url: string, what: string, signal: AbortSignal): Promise<Buffer> {
  const res = await request(url, `download ${what}`, { signal });
  try {
    return Buffer.from(await res.arrayBuffer());
  } catch (err) {
    if (signal.aborted) throw err;
    throw new TaskFailure('upstream_error', `could not download ${what} from ${safeUrl(url)}: ${describe(err, url)}`);
  }
}

/** Uploads a whole file; `send` declares its length, which S3 presigned PUTs require. */
export async function putBytes(
  url: string,
  what: string,
  bytes: Buffer,
  contentType: string,
  signal: AbortSignal,
): Promise<void> {
  const res = await request(url, `upload ${what}`, {
    method: 'PUT',
    headers: { 'content-type': contentType },
    body: bytes,
    signal,
  });
  await res.arrayBuffer().catch(() => undefined);
}

async function request(url: string, action: string, init: SendInit & { signal: AbortSignal }): Promise<Response> {
  let res: Response;
  try {
    res = await send(url, init);
  } catch (err) {
    if (init.signal.aborted) throw err;
    throw new TaskFailure('upstream_error', `could not ${action} at ${safeUrl(url)}: ${describe(err, url)}`);
  }
  if (res.ok) return res;
  const text = await res.text().catch(() => '');
  // Only S3's error code: its other fields can echo the signed request back.
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
  throw new TaskFailure(
    'upstream_error',
    `could not ${action} at ${safeUrl(url)}: HTTP ${res.status}${code ? ` (${code})` : ''}`,
  );
}

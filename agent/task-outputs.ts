import type { UploadedOutput } from '../workflows/agent-protocol';
import { getBytes, putBytes } from './presigned';
import { contentTypeOf } from './sniff';
import { TaskFailure, describe } from './task-failure';

interface ImageItem {
  b64_json?: unknown;
  url?: unknown;
  [key: string]: unknown;
}

/**
 * Stores an OpenAI images answer (`data[i].b64_json` or `data[i].url`) in the task's output
 * slots and returns the answer without the bytes; items beyond the slots are dropped, as the
 * platform asked for no more than it can store.
 */
export async function storeImageOutputs(
  answer: unknown,
  urls: string[],
  signal: AbortSignal,
): Promise<{ body: Record<string, unknown>; outputs: UploadedOutput[] }> {
  const data = (answer as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    throw new TaskFailure('upstream_error', 'local server answered without a data array of images');
  }
  const items = (data as ImageItem[]).slice(0, urls.length);
  const outputs = await Promise.all(
    items.map(async (item, index) => upload(urls[index], index, await imageBytes(item, index, signal), null, signal)),
  );
  const body = {
    ...(answer as Record<string, unknown>),
    data: items.map(({ b64_json: _b64, url: _url, ...rest }) => rest),
  };
  return { body, outputs };
}

/** Stores a response whose body is the file itself (speech, music, video, meshes). */
export async function storeRawOutput(res: Response, urls: string[], signal: AbortSignal): Promise<UploadedOutput[]> {
  const declared = res.headers.get('content-type');
  if (declared?.toLowerCase().includes('application/json')) {
    const text = await res.text();
    throw new TaskFailure('upstream_error', `local server answered JSON instead of a file: ${text.slice(0, 300)}`);
  }
  let bytes: Buffer;
  try {
    bytes = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    if (signal.aborted) throw err;
    throw new TaskFailure('upstream_error', `local server broke off its answer: ${describe(err)}`);
  }
  if (urls.length === 0) return [];
  return [await upload(urls[0], 0, bytes, declared, signal)];
}

async function imageBytes(item: ImageItem, index: number, signal: AbortSignal): Promise<Buffer> {
  if (typeof item?.b64_json === 'string') return Buffer.from(item.b64_json, 'base64');
  if (typeof item?.url === 'string') {
    return getBytes(item.url, `image ${index} from the local server`, signal, 'upstream_error');
  }
  throw new TaskFailure('upstream_error', `local server answered image ${index} without b64_json or url`);
}

async function upload(
  url: string,
  index: number,
  bytes: Buffer,
  declared: string | null,
  signal: AbortSignal,
): Promise<UploadedOutput> {
  const contentType = contentTypeOf(declared, bytes);
  await putBytes(url, `output ${index}`, bytes, contentType, signal);
  return { index, content_type: contentType, bytes: bytes.length };
}

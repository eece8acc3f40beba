/**
 * /v1/images/generations and /v1/images/edits of the demo provider (a test/benchmark fixture):
 * real PNGs whose pixels are seeded by the prompt, the image index and any input image.
 */
import { resolveModel } from './catalogue';
import { DEMO_EPOCH, sha256, seed32 } from './hash';
import type { Exchange } from './http';
import { badRequest, numberField, parseSize, readJson, sendJson } from './http';
import { readMultipart } from './multipart';
import { encodePng, pngSize } from './png';
import { patternParams, renderPattern } from './pattern';

const DEFAULT_SIZE: [number, number] = [256, 256];
const MAX_SIDE = 1024;
const MAX_N = 10;

function countOf(value: unknown): number {
  const n = numberField({ n: value }, 'n', 1, 1, MAX_N);
  if (!Number.isInteger(n)) throw badRequest("'n' must be an integer");
  return n;
}

function checkFormat(value: unknown): void {
  // Always base64: the platform stores the bytes itself, so "url" is accepted but answered inline.
  if (value !== undefined && value !== null && value !== 'b64_json' && value !== 'url') {
    throw badRequest("'response_format' must be 'url' or 'b64_json'");
  }
}

async function respond(ex: Exchange, size: [number, number], n: number, seedParts: (string | Buffer)[]): Promise<void> {
  const data: { b64_json: string }[] = [];
  for (let i = 0; i < n; i++) {
    if (ex.signal.aborted) return;
    const rgb = renderPattern(size[0], size[1], patternParams(...seedParts, String(i)));
    data.push({ b64_json: (await encodePng(size[0], size[1], rgb)).toString('base64') });
  }
  if (ex.signal.aborted) return;
  sendJson(ex.res, 200, { created: DEMO_EPOCH + (seed32(...seedParts) % 1_000_000), data });
}

export async function imageGenerations(ex: Exchange): Promise<void> {
  const body = await readJson(ex.req);
  const model = resolveModel(body.model, 'image');
  if (typeof body.prompt !== 'string' || body.prompt === '') throw badRequest("Missing required field 'prompt'");
  checkFormat(body.response_format);
  const size = parseSize(body.size, DEFAULT_SIZE, MAX_SIDE);
  await respond(ex, size, countOf(body.n), ['generate', model.id, body.prompt, `${size[0]}x${size[1]}`]);
}

export async function imageEdits(ex: Exchange): Promise<void> {
  const form = await readMultipart(ex.req);
  const model = resolveModel(form.field('model'), 'image');
  // One image as `image`, or several as `image[]` (as OpenAI's SDKs send them): all seed the output.
  const images = [...(form.files.get('image') ?? []), ...(form.files.get('image[]') ?? [])];
  const image = images[0];
  if (!image || image.data.length === 0) throw badRequest("Missing required file 'image'");
  const prompt = form.field('prompt');
  if (!prompt) throw badRequest("Missing required field 'prompt'");
  checkFormat(form.field('response_format'));
  const size = parseSize(form.field('size'), pngSize(image.data) ?? DEFAULT_SIZE, MAX_SIDE);
  const mask = form.file('mask');
  await respond(ex, size, countOf(form.field('n')), [
    'edit',
    model.id,
    prompt,
    `${size[0]}x${size[1]}`,
    ...images.map((i) => sha256(i.data)),
    mask ? sha256(mask.data) : '',
  ]);
}

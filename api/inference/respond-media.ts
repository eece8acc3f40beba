import type { Context } from 'koa';
import type { InferenceOutput, StoredAsset } from '../../workflows/inference-contract';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { imageAnswer, meshAnswer } from '../../domain/media-answers';
import { signedAssetUrl } from '../../domain/signed-url';
import { cuesOf, toSrt, toVtt } from './subtitles';

/** Outputs are handed out as signed, expiring links that work without a key (see signed-url.ts). */
export const assetUrl = (deps: Pick<ApiDeps, 'config'>, id: string) => signedAssetUrl(deps.config, id);

function firstAsset(output: InferenceOutput): StoredAsset {
  const asset = output.assets?.[0];
  if (!asset) throw new ApiError(ErrorType.UpstreamError, 'The provider returned no output.');
  return asset;
}

/** Answers like OpenAI's audio endpoints: the raw bytes (read back from the bucket) with their type. */
export async function respondRaw(deps: ApiDeps, ctx: Context, output: InferenceOutput | null): Promise<void> {
  if (!output) return;
  const asset = firstAsset(output);
  ctx.set('x-asset-url', assetUrl(deps, asset.id));
  ctx.type = asset.contentType;
  ctx.length = asset.bytes;
  ctx.body = await deps.storage.client.getObject(deps.storage.bucket, asset.key);
}

/** OpenAI's image response: signed links, plus the bytes inline when `b64_json` was asked for. */
export async function respondImages(
  deps: ApiDeps,
  ctx: Context,
  output: InferenceOutput | null,
  b64: boolean,
): Promise<void> {
  if (!output) return;
  const assets = output.assets ?? [];
  if (assets.length === 0) throw new ApiError(ErrorType.UpstreamError, 'The provider returned no image.');
  const answer = imageAnswer(deps.config, output.body, assets);
  if (b64) {
    const bytes = await Promise.all(assets.map((asset) => readObject(deps, asset.key)));
    answer.data.forEach((item, i) => Object.assign(item, { b64_json: bytes[i].toString('base64') }));
  }
  ctx.body = answer;
}

export function respondMesh(deps: ApiDeps, ctx: Context, output: InferenceOutput | null, format: string): void {
  if (!output) return;
  const assets = output.assets ?? [];
  if (assets.length === 0) throw new ApiError(ErrorType.UpstreamError, 'The provider returned no mesh.');
  ctx.body = meshAnswer(deps.config, assets, format);
}

/**
 * Transcripts carry the duration measured from the uploaded audio, not the provider's claim;
 * `srt` and `vtt` are formatted from the model's segments.
 */
export function respondTranscription(ctx: Context, output: InferenceOutput | null, format: string): void {
  if (!output) return;
  const measured = typeof output.usage?.seconds === 'number' ? output.usage.seconds : null;
  if (format === 'srt' || format === 'vtt') {
    const cues = cuesOf(output.body, measured);
    ctx.type = format === 'vtt' ? 'text/vtt; charset=utf-8' : 'text/plain; charset=utf-8';
    ctx.body = format === 'vtt' ? toVtt(cues) : toSrt(cues);
    return;
  }
  if (format === 'text') {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = typeof output.body === 'string' ? output.body : String((output.body as { text?: string })?.text ?? '');
    return;
  }
  const body = (
    typeof output.body === 'object' && output.body ? output.body : { text: String(output.body ?? '') }
  ) as Record<string, unknown>;
  const upstreamSeconds = (body.usage as { seconds?: number } | undefined)?.seconds;
  const usage = { type: 'duration', seconds: measured ?? upstreamSeconds ?? null };
  ctx.body = format === 'verbose_json' ? { ...body, usage } : { text: body.text ?? '', usage };
}

async function readObject(deps: ApiDeps, key: string): Promise<Buffer> {
  const stream = await deps.storage.client.getObject(deps.storage.bucket, key);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

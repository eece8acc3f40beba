import Router from '@koa/router';
import type { ApiDeps } from '../deps';
import { badRequest } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { validate } from '../http/validate';
import { respondImages, respondTranscription } from '../inference/respond-media';
import { respondAnswer, runCall } from '../inference/run-call';
import { acceptUpload, acceptUploads, coerceFields } from '../uploads/accept-upload';
import { readMultipart } from '../uploads/read-multipart';
import { AUDIO_TYPES, IMAGE_TYPES } from '../uploads/sniff';
import { MAX_IMAGES } from '../inference/json-calls';
import { runMedia, servedModel } from './media.routes';

/** Images one edit may take, as OpenAI's SDKs send several: `image[]`. */
const MAX_EDIT_IMAGES = 16;

interface TranscriptionFields {
  model: string;
  response_format?: string;
  timestamp_granularities?: string[];
  stream?: boolean;
}

/** The multipart endpoints: image edits and transcriptions. Every check runs before anything is stored. */
export function uploadMediaRoutes(deps: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>();
  const limit = deps.config.api.maxBodyBytes;

  router.post('/v1/images/edits', async (ctx) => {
    const form = await readMultipart(ctx, limit);
    const fields = validate<{ n?: number; response_format?: string }>(
      'ImageEditFields',
      coerceFields(form.fields, { numbers: ['n'], booleans: ['async'] }),
    );
    const images = acceptUploads(form, 'image', IMAGE_TYPES, MAX_EDIT_IMAGES);
    const mask = acceptUpload(form, 'mask', IMAGE_TYPES, false);
    const n = Math.min(fields.n ?? 1, MAX_IMAGES);
    const output = await runMedia(deps, ctx, {
      kind: 'image-edit',
      body: { ...fields, n, response_format: 'b64_json' },
      uploads: [...images, ...(mask ? [mask] : [])],
      encoding: 'multipart',
      outputs: { count: n, mode: 'b64_json' },
    });
    await respondImages(deps, ctx, output, fields.response_format === 'b64_json');
  });

  router.post('/v1/audio/transcriptions', async (ctx) => {
    const form = await readMultipart(ctx, limit);
    const fields = validate<TranscriptionFields>(
      'TranscriptionFields',
      coerceFields(form.fields, { numbers: ['temperature'], booleans: ['stream', 'async'] }),
    );
    const file = acceptUpload(form, 'file', AUDIO_TYPES)!;
    const served = await servedModel(deps, ctx, fields.model);
    const format = fields.response_format ?? 'json';
    const body: Record<string, unknown> = { ...fields, response_format: format };
    delete body.stream;

    if (fields.stream) {
      // A flag the platform cannot honour is refused, never silently dropped.
      if (!served.features.includes('streaming')) {
        throw badRequest(`Model '${fields.model}' does not support 'streaming'.`, { param: 'stream' });
      }
      if (format !== 'json' && format !== 'text') {
        throw badRequest(`Streaming transcripts come as events; response_format '${format}' cannot stream.`, {
          param: 'response_format',
        });
      }
      const call = { kind: 'transcription' as const, body: { ...body, stream: true }, uploads: [file] };
      respondAnswer(deps, ctx, await runCall(deps, ctx, { ...call, encoding: 'multipart' }));
      return;
    }

    const timed = served.features.includes('timestamps');
    if (format === 'verbose_json' && !timed) {
      // Timings only come from models that advertise them; others give the plain transcript.
      body.response_format = 'json';
      delete body.timestamp_granularities;
    }
    if (format === 'srt' || format === 'vtt') {
      // Subtitles are formatted here from the model's segments (one cue when it has none).
      body.response_format = timed ? 'verbose_json' : 'json';
      if (timed) body.timestamp_granularities = ['segment'];
      else delete body.timestamp_granularities;
    }
    const output = await runMedia(deps, ctx, { kind: 'transcription', body, uploads: [file], encoding: 'multipart' });
    respondTranscription(ctx, output, format === 'verbose_json' && !timed ? 'json' : format);
  });

  return router;
}

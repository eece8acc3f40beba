import Router from '@koa/router';
import type { ApiDeps } from '../deps';
import type { AuthState } from '../http/auth';
import { validate } from '../http/validate';
import { respondImages, respondTranscription } from '../inference/respond-media';
import { runMedia } from '../inference/run-media';
import { acceptUpload, coerceFields } from '../uploads/accept-upload';
import { readMultipart } from '../uploads/read-multipart';
import { AUDIO_TYPES, IMAGE_TYPES } from '../uploads/sniff';
import { MAX_IMAGES, servedModel } from './media.routes';

/** The multipart endpoints: image edits and transcriptions. Every check runs before anything is stored. */
export function uploadMediaRoutes(deps: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>();
  const limit = deps.config.api.maxBodyBytes;

  router.post('/v1/images/edits', async (ctx) => {
    const form = await readMultipart(ctx, limit);
    const fields = validate<{ n?: number; response_format?: string }>(
      'ImageEditFields',
      coerceFields(form.fields, ['n']),
    );
    const image = acceptUpload(form, 'image', IMAGE_TYPES);
    const mask = acceptUpload(form, 'mask', IMAGE_TYPES, false);
    const n = Math.min(fields.n ?? 1, MAX_IMAGES);
    const output = await runMedia(deps, ctx, 'image-edit', {
      body: { ...fields, n, response_format: 'b64_json' },
      uploads: [image!, ...(mask ? [mask] : [])],
      encoding: 'multipart',
      outputs: { count: n, mode: 'b64_json' },
    });
    await respondImages(deps, ctx, output, fields.response_format === 'b64_json');
  });

  router.post('/v1/audio/transcriptions', async (ctx) => {
    const form = await readMultipart(ctx, limit);
    const fields = validate<{ model: string; response_format?: string; timestamp_granularities?: string[] }>(
      'TranscriptionFields',
      coerceFields(form.fields, ['temperature']),
    );
    const file = acceptUpload(form, 'file', AUDIO_TYPES);
    let format = fields.response_format ?? 'json';
    const body: Record<string, unknown> = { ...fields, response_format: format };
    if (format === 'verbose_json' && !(await servedModel(deps, ctx, fields.model)).features.includes('timestamps')) {
      // The seed's rule: timings only from models that advertise them; others give the plain transcript.
      format = 'json';
      body.response_format = 'json';
      delete body.timestamp_granularities;
    }
    const output = await runMedia(deps, ctx, 'transcription', { body, uploads: [file!], encoding: 'multipart' });
    respondTranscription(ctx, output, format);
  });

  return router;
}

import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { probeDurationSeconds } from '../../clients/media-probe';
import { PRESIGN_SECONDS, voiceSampleKey } from '../../clients/storage-keys';
import { parseSerialId } from '../../db/ids';
import { deleteVoiceSample, insertVoiceSample, listVoiceSamples } from '../../db/repositories/voice-sample.repository';
import type { VoiceSample } from '../../db/tables/voice-sample.table';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { validate } from '../http/validate';
import { acceptUpload } from '../uploads/accept-upload';
import { readMultipart } from '../uploads/read-multipart';
import { AUDIO_TYPES } from '../uploads/sniff';

const view = (s: VoiceSample) => ({
  id: s.id,
  object: 'voice_sample',
  name: s.name,
  content_type: s.content_type,
  bytes: Number(s.bytes),
  duration_seconds: s.duration_seconds,
  created_at: s.created_at.toISOString(),
});

/** The member's voice library for voice cloning: upload, list, delete. Samples are private to their owner. */
export function voiceSamplesRoutes(deps: ApiDeps): Router<AuthState> {
  const { db, storage } = deps;
  const router = new Router<AuthState>({ prefix: '/api/inference/voice-samples' });

  router.get('/', async (ctx) => {
    ctx.body = { object: 'list', data: (await listVoiceSamples(db, ctx.state.member.id)).map(view) };
  });

  router.post('/', async (ctx) => {
    const form = await readMultipart(ctx, deps.config.api.maxBodyBytes);
    const fields = validate<{ name: string }>('VoiceSampleFields', form.fields);
    const file = acceptUpload(form, 'file', AUDIO_TYPES)!;
    const key = voiceSampleKey(ctx.state.member.id, randomUUID());
    await storage.client.putObject(storage.bucket, key, file.bytes, file.bytes.length, {
      'Content-Type': file.contentType,
    });
    const duration = await probeDurationSeconds(
      await storage.client.presignedGetObject(storage.bucket, key, PRESIGN_SECONDS),
    );
    const sample = await insertVoiceSample(db, {
      member_id: ctx.state.member.id,
      name: fields.name,
      key,
      content_type: file.contentType,
      bytes: file.bytes.length,
      duration_seconds: duration,
    });
    ctx.status = 201;
    ctx.body = view(sample);
  });

  router.delete('/:id', async (ctx) => {
    const id = parseSerialId(ctx.params.id);
    const deleted = id === undefined ? undefined : await deleteVoiceSample(db, ctx.state.member.id, id);
    if (!deleted) throw new ApiError(ErrorType.NotFound, 'No such voice sample in your voice library.');
    // The sample is gone from the library either way; a stored copy left behind costs only space.
    await storage.client
      .removeObject(storage.bucket, deleted.key)
      .catch((err: unknown) =>
        deps.logger.warn('voice sample bytes not removed', { key: deleted.key, err: String(err) }),
      );
    ctx.status = 204;
  });

  return router;
}

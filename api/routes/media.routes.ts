import Router from '@koa/router';
import type { Context } from 'koa';
import { describeServedModel } from '../../db/repositories/provider.repository';
import { findOwnVoiceSamples } from '../../db/repositories/voice-sample.repository';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { readJsonBody } from '../http/read-body';
import { validate } from '../http/validate';
import { respondImages, respondMesh, respondRaw } from '../inference/respond-media';
import { runCall, type InferenceCall } from '../inference/run-call';
import type { BatchEndpoint } from '../../workflows/batch-jsonl';
import { jsonCall } from '../inference/json-calls';

type Ctx = Context & { state: AuthState };

/**
 * Runs a media call, which ends with the workflow's output (assets stored and metered), or null
 * when it became an async job (answered 202 already; the responders then do nothing).
 */
export async function runMedia(deps: ApiDeps, ctx: Ctx, call: InferenceCall) {
  const answer = await runCall(deps, ctx, call);
  if (!answer) return null;
  if (!('output' in answer))
    throw new ApiError(ErrorType.UpstreamError, 'The provider streamed an answer to a media request.');
  return answer.output;
}

/** The JSON-bodied generation endpoints: images, speech, voice cloning, music, video, 3D. */
export function mediaRoutes(deps: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>();

  const call = async (ctx: Ctx, endpoint: BatchEndpoint) =>
    jsonCall(endpoint, await readJsonBody(ctx, deps.config.api.maxBodyBytes));

  router.post('/v1/images/generations', async (ctx) => {
    const images = await call(ctx, '/v1/images/generations');
    const b64 = images.request.response_format === 'b64_json';
    await respondImages(deps, ctx, await runMedia(deps, ctx, images), b64);
  });

  router.post('/v1/audio/speech', async (ctx) => {
    const speech = await call(ctx, '/v1/audio/speech');
    await requireVoice(deps, ctx, String(speech.body.model), String(speech.body.voice));
    await respondRaw(deps, ctx, await runMedia(deps, ctx, speech));
  });

  router.post('/v1/voice/generations', async (ctx) => {
    const req = validate<{ speakers?: Record<string, number> } & Record<string, unknown>>(
      'VoiceGenerationRequest',
      await readJsonBody(ctx, deps.config.api.maxBodyBytes),
    );
    const speakers = Object.entries(req.speakers ?? {});
    const samples = await findOwnVoiceSamples(deps.db, ctx.state.member.id, [...new Set(speakers.map(([, id]) => id))]);
    const byId = new Map(samples.map((s) => [s.id, s]));
    const stored = speakers.map(([tag, id]) => {
      const sample = byId.get(id);
      if (!sample)
        throw new ApiError(ErrorType.NotFound, `Voice sample ${id} (speaker ${tag}) is not in your voice library.`);
      return { field: `speakers.${tag}`, key: sample.key, filename: sample.name, contentType: sample.content_type };
    });
    const output = await runMedia(deps, ctx, {
      kind: 'voice',
      body: req,
      stored,
      outputs: { count: 1, mode: 'raw' },
      requiredFeatures: ['voice-cloning'],
    });
    await respondRaw(deps, ctx, output);
  });

  router.post('/v1/music/generations', async (ctx) => {
    await respondRaw(deps, ctx, await runMedia(deps, ctx, await call(ctx, '/v1/music/generations')));
  });

  router.post('/v1/videos/generations', async (ctx) => {
    await respondRaw(deps, ctx, await runMedia(deps, ctx, await call(ctx, '/v1/videos/generations')));
  });

  router.post('/v1/3d/generations', async (ctx) => {
    const mesh = await call(ctx, '/v1/3d/generations');
    respondMesh(deps, ctx, await runMedia(deps, ctx, mesh), String(mesh.body.format ?? 'glb'));
  });

  router.get('/v1/audio/voices', async (ctx) => {
    const model = ctx.query.model;
    if (typeof model !== 'string' || model === '') {
      throw badRequest("Missing query parameter 'model'.", { param: 'model', code: 'missing_required_parameter' });
    }
    const served = await servedModel(deps, ctx, model);
    // `voices` is the shape OpenAI-style clients read; `data` keeps each voice's display name.
    ctx.body = {
      voices: served.voices.map((v) => v.id),
      object: 'list',
      data: served.voices.map((v) => ({ id: v.id, name: v.name ?? v.id, object: 'voice' })),
    };
  });

  return router;
}

export async function servedModel(deps: ApiDeps, ctx: Ctx, model: string) {
  const served = await describeServedModel(deps.db, ctx.state.member.id, model, deps.config.dispatch.onlineSeconds);
  if (!served) throw new ApiError(ErrorType.NoProvider, `No online provider serving model '${model}' for this user.`);
  return served;
}

/** A voice the model does not advertise would only fail later at the provider: refuse it now. */
async function requireVoice(deps: ApiDeps, ctx: Ctx, model: string, voice: string): Promise<void> {
  const served = await describeServedModel(deps.db, ctx.state.member.id, model, deps.config.dispatch.onlineSeconds);
  if (served && served.voices.length > 0 && !served.voices.some((v) => v.id === voice)) {
    const known = served.voices.map((v) => v.id).join(', ');
    throw badRequest(`Unknown voice '${voice}' for model '${model}' (available: ${known}).`);
  }
}

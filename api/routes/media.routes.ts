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
import type { SchemaId } from '../../schemas';

/** Images a single request may ask for; larger `n` is clamped, as OpenAI clamps per model. */
export const MAX_IMAGES = 4;

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
  const body = async <T>(ctx: Ctx, schema: SchemaId) =>
    validate<T & Record<string, unknown>>(schema, await readJsonBody(ctx, deps.config.api.maxBodyBytes));

  router.post('/v1/images/generations', async (ctx) => {
    const req = await body<{ n?: number; response_format?: string }>(ctx, 'ImageGenerationRequest');
    const n = Math.min(req.n ?? 1, MAX_IMAGES);
    const forwarded = { ...req, n, response_format: 'b64_json' };
    const output = await runMedia(deps, ctx, {
      kind: 'image',
      body: forwarded,
      outputs: { count: n, mode: 'b64_json' },
    });
    await respondImages(deps, ctx, output, req.response_format === 'b64_json');
  });

  router.post('/v1/audio/speech', async (ctx) => {
    const req = await body<{ model: string; voice?: string }>(ctx, 'SpeechRequest');
    if (req.voice) await requireVoice(deps, ctx, req.model, req.voice);
    const output = await runMedia(deps, ctx, { kind: 'speech', body: req, outputs: { count: 1, mode: 'raw' } });
    await respondRaw(deps, ctx, output);
  });

  router.post('/v1/voice/generations', async (ctx) => {
    const req = await body<{ speakers?: Record<string, number> }>(ctx, 'VoiceGenerationRequest');
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
    const req = await body(ctx, 'MusicGenerationRequest');
    await respondRaw(
      deps,
      ctx,
      await runMedia(deps, ctx, { kind: 'music', body: req, outputs: { count: 1, mode: 'raw' } }),
    );
  });

  router.post('/v1/videos/generations', async (ctx) => {
    const req = await body(ctx, 'VideoGenerationRequest');
    await respondRaw(
      deps,
      ctx,
      await runMedia(deps, ctx, { kind: 'video', body: req, outputs: { count: 1, mode: 'raw' } }),
    );
  });

  router.post('/v1/3d/generations', async (ctx) => {
    const req = await body<{ format?: string }>(ctx, 'MeshGenerationRequest');
    const output = await runMedia(deps, ctx, { kind: 'mesh', body: req, outputs: { count: 1, mode: 'raw' } });
    respondMesh(deps, ctx, output, req.format ?? 'glb');
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

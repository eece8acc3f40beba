import Router from '@koa/router';
import { ActivityNotFoundError } from '@temporalio/client';
import type { Context } from 'koa';
import { isUuid } from '../../db/ids';
import { findOwnedProvider, recordHeartbeat, type ProviderModelInput } from '../../db/repositories/provider.repository';
import type { AgentTaskFailure, HeartbeatAnswer, PolledTask, ProviderTaskResult } from '../../workflows/agent-protocol';
import { AgentPresence } from '../gateway/agent-presence';
import { recordPickup } from '../gateway/pickup';
import type { StreamTarget } from '../../workflows/inference-contract';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { verifyTaskToken, type TaskClaims } from '../gateway/task-token';
import { ApiError, badRequest } from '../http/api-error';
import { clientGoneSignal } from '../http/client-gone';
import { guardedTemporal } from '../http/temporal-guard';
import type { AuthState } from '../http/auth';
import { readJsonBody } from '../http/read-body';
import { validate } from '../http/validate';
import { StreamGoneError } from '../streams/stream-hub';
import { relayResult, relayStream } from '../streams/relay';

/** A heartbeat after validation: the schema's defaults fill every optional field. */
interface Heartbeat {
  name: string;
  shared: boolean;
  concurrency: number;
  models: ProviderModelInput[];
}

const SMALL_BODY = 4 * 1024 * 1024;

/** The agent gateway: heartbeats, long-polls and task answers, all with the member's own key. */
export function agentRoutes(deps: ApiDeps): Router<AuthState> {
  const { db, config, gateway, logger } = deps;
  const router = new Router<AuthState>({ prefix: '/api/inference/agent' });
  const presence = new AgentPresence(db, config.dispatch.onlineSeconds, logger);

  router.post('/heartbeat', async (ctx) => {
    const hb = validate<Heartbeat>('AgentHeartbeat', await readJsonBody(ctx, SMALL_BODY));
    const seen = new Set<string>();
    hb.models.forEach((model, i) => {
      if (seen.has(model.id)) {
        throw badRequest(`Model '${model.id}' is advertised twice.`, { param: `models[${i}].id` });
      }
      seen.add(model.id);
    });
    const provider = await recordHeartbeat(db, { memberId: ctx.state.member.id, ...hb });
    ctx.body = {
      provider_id: provider.id,
      online_seconds: config.dispatch.onlineSeconds,
      heartbeat_interval_seconds: Math.max(1, Math.floor(config.dispatch.onlineSeconds / 3)),
    } satisfies HeartbeatAnswer;
  });

  router.get('/tasks', async (ctx) => {
    const gone = clientGoneSignal(ctx);
    const providerId = ctx.query.provider_id;
    if (typeof providerId !== 'string' || providerId === '') {
      throw badRequest("Missing query parameter 'provider_id'.", { param: 'provider_id' });
    }
    if (!isUuid(providerId)) throw badRequest("'provider_id' is not a provider id.", { param: 'provider_id' });
    const provider = await findOwnedProvider(db, ctx.state.member.id, providerId);
    if (!provider) throw new ApiError(ErrorType.NotFound, 'No such provider on your account.');
    const identity = `${provider.name}@${ctx.ip}`;
    const ended = presence.polling(provider);
    let task: PolledTask | null;
    try {
      // This process draining ends the poll as its own shutdown does (503: poll again elsewhere).
      task = await guardedTemporal(
        deps.temporal,
        () => gateway.poll(ctx.state.member.id, provider.id, identity, gone, deps.lifecycle.drainSignal),
        { deadline: false },
      );
    } finally {
      ended(gone.aborted || ctx.res.destroyed);
    }
    if (gone.aborted || ctx.res.destroyed) {
      // The agent left while Temporal matched a task to its poll: hand it back at once.
      if (task) await handBack(deps, task.token);
      return;
    }
    if (!task) {
      ctx.status = 204;
      return;
    }
    ctx.body = task;
    recordPickup(db, logger, task.task.requestId);
  });

  router.post('/tasks/:token/heartbeat', async (ctx) => {
    const claims = claimsOf(deps, ctx);
    const body = (await readJsonBody(ctx, SMALL_BODY).catch(() => ({}))) as { details?: unknown };
    ctx.body = { cancel_requested: await gateway.heartbeat(claims, body?.details) };
  });

  router.post('/tasks/:token/complete', async (ctx) => {
    const claims = claimsOf(deps, ctx);
    const result = validate<ProviderTaskResult>('AgentTaskResult', await readJsonBody(ctx, config.api.maxAnswerBytes));
    // The waiting client gets the answer while Temporal records it, not after.
    const delivered = claims.r ? deliverReply(deps, claims.r, result) : Promise.resolve(false);
    try {
      await answered(() => gateway.complete(claims, result));
    } catch (err) {
      // Too late for Temporal (the attempt timed out or the request was canceled): if the client
      // took this answer anyway, nothing may keep working on a request that is already answered.
      if (await delivered) {
        await gateway
          .cancelAnswered(claims)
          .catch((e: unknown) => logger.warn('cancel of an answered request failed', { err: String(e) }));
      }
      throw err;
    }
    await delivered;
    ctx.status = 204;
  });

  router.post('/tasks/:token/fail', async (ctx) => {
    const claims = claimsOf(deps, ctx);
    const failure = validate<AgentTaskFailure>('AgentTaskFailure', await readJsonBody(ctx, SMALL_BODY));
    await answered(() => gateway.fail(claims, failure));
    ctx.status = 204;
  });

  router.post('/tasks/:token/stream', async (ctx) => {
    const claims = claimsOf(deps, ctx);
    if (!claims.s) throw badRequest('This task does not stream; answer it with /complete.');
    const { streamId, relayUrl } = claims.s;
    ctx.req.socket.setNoDelay(true);
    if (relayUrl === config.api.internalBaseUrl) {
      const delivered = await deps.hub.attach(streamId, ctx.req).catch((err: unknown) => {
        if (err instanceof StreamGoneError)
          throw new ApiError(ErrorType.Conflict, 'The client is no longer waiting for this stream.');
        throw err;
      });
      ctx.status = delivered ? 200 : 499;
    } else {
      const status = await relayStream(relayUrl, streamId, ctx.req, config.api.gatewaySecret);
      if (status === 409) throw new ApiError(ErrorType.Conflict, 'The client is no longer waiting for this stream.');
      ctx.status = status;
    }
    ctx.body = { delivered: ctx.status === 200 };
  });

  return router;
}

function claimsOf({ config }: ApiDeps, ctx: Context & { state: AuthState }): TaskClaims {
  const claims = verifyTaskToken(
    String((ctx as unknown as { params: Record<string, string> }).params.token),
    config.api.gatewaySecret,
  );
  // A token for another member's provider looks exactly like a forged one: not found.
  if (!claims || claims.m !== ctx.state.member.id) throw new ApiError(ErrorType.NotFound, 'Unknown task.');
  return claims;
}

async function answered(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ActivityNotFoundError) {
      throw new ApiError(
        ErrorType.Conflict,
        'The task is no longer running (it timed out, failed over or was canceled).',
      );
    }
    throw err;
  }
}

/** Hands a buffered answer to the waiting client's instance; true when a client took it. */
async function deliverReply(deps: ApiDeps, target: StreamTarget, result: ProviderTaskResult): Promise<boolean> {
  const { config, hub, logger } = deps;
  try {
    if (target.relayUrl === config.api.internalBaseUrl) return hub.deliver(target.streamId, result);
    return await relayResult(target.relayUrl, target.streamId, result, config.api.gatewaySecret);
  } catch (err) {
    // The client still gets the answer from the workflow's result; only the shortcut is lost.
    logger.warn('reply relay failed', { err: String(err) });
    return false;
  }
}

async function handBack({ gateway, config, logger }: ApiDeps, token: string): Promise<void> {
  const claims = verifyTaskToken(token, config.api.gatewaySecret);
  if (!claims) return;
  await gateway.handBack(claims).catch((err: unknown) => logger.warn('hand-back failed', { err: String(err) }));
}

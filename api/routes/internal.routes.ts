import Router from '@koa/router';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { verifyRelay } from '../gateway/task-token';
import { StreamGoneError } from '../streams/stream-hub';
import { readJsonBody } from '../http/read-body';
import type { ProviderTaskResult } from '../../workflows/agent-protocol';

/** Replica-to-replica relay of streamed bodies, authenticated by the shared gateway secret. */
export function internalRoutes({ config, hub }: ApiDeps): Router {
  const router = new Router({ prefix: '/internal' });
  router.post('/streams/:id', async (ctx) => {
    const streamId = ctx.params.id;
    if (!verifyRelay(streamId, ctx.get('x-relay-signature'), config.api.gatewaySecret)) {
      throw new ApiError(ErrorType.NotFound, 'Unknown stream.');
    }
    ctx.req.socket.setNoDelay(true);
    try {
      ctx.status = (await hub.attach(streamId, ctx.req)) ? 200 : 499;
      ctx.body = '';
    } catch (err) {
      if (err instanceof StreamGoneError) throw new ApiError(ErrorType.Conflict, err.message);
      throw err;
    }
  });
  router.post('/results/:id', async (ctx) => {
    const id = ctx.params.id;
    if (!verifyRelay(id, ctx.get('x-relay-signature'), config.api.gatewaySecret)) {
      throw new ApiError(ErrorType.NotFound, 'Unknown reply.');
    }
    const result = (await readJsonBody(ctx, config.api.maxAnswerBytes)) as ProviderTaskResult;
    ctx.status = hub.deliver(id, result) ? 204 : 409;
  });
  return router;
}

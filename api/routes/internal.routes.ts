import Router from '@koa/router';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { verifyRelay } from '../gateway/task-token';
import { StreamGoneError } from '../streams/stream-hub';

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
  return router;
}

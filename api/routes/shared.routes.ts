import Router from '@koa/router';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { viewerOf, type ViewerState } from '../http/auth';
import { viewCollection, viewProfile, viewRequestById, viewSharedRequest } from '../sharing/sharing-views';

/**
 * What a share link opens, as JSON (the pages `/s/<token>`, `/c/<token>` and `/u/<name>` show the
 * same): for whoever the item's visibility admits now, anonymous included; anyone else gets the
 * same 404 as a token that never existed.
 */
export function sharedRoutes(deps: ApiDeps): Router<ViewerState> {
  const router = new Router<ViewerState>({ prefix: '/api/inference' });

  /** A request by id: the owner's own, or anyone's PUBLIC one (signed in or not). */
  router.get('/requests/:id', async (ctx) => {
    const entry = await viewRequestById(deps, viewerOf(ctx), ctx.params.id);
    if (!entry) throw new ApiError(ErrorType.NotFound, 'No such request.');
    ctx.body = entry;
  });

  router.get('/shared/requests/:token', async (ctx) => {
    const entry = await viewSharedRequest(deps, viewerOf(ctx), ctx.params.token);
    if (!entry) throw new ApiError(ErrorType.NotFound, 'Nothing is shared at this link.');
    ctx.body = entry;
  });

  router.get('/shared/collections/:token', async (ctx) => {
    const view = await viewCollection(deps, viewerOf(ctx), ctx.params.token);
    if (!view) throw new ApiError(ErrorType.NotFound, 'Nothing is shared at this link.');
    ctx.body = view;
  });

  router.get('/shared/members/:name', async (ctx) => {
    const profile = await viewProfile(deps, viewerOf(ctx), ctx.params.name);
    if (!profile) throw new ApiError(ErrorType.NotFound, 'No such member.');
    ctx.body = profile;
  });

  return router;
}

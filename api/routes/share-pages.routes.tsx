import Router from '@koa/router';
import type { Context } from 'koa';
import type { ApiDeps } from '../deps';
import { viewerOf, type ViewerState } from '../http/auth';
import { NotFoundPage, sendPage } from '../pages/render';
import { CollectionPage, ProfilePage, SharedRequestPage } from '../pages/share';
import { viewCollection, viewProfile, viewSharedRequest } from '../sharing/sharing-views';

type Ctx = Context & { state: ViewerState; params: Record<string, string> };

/**
 * Public and share-token pages: a shared request (`/s/<token>`), a collection (`/c/<token>`) and a
 * member's public profile (`/u/<name>`). Mounted behind `optionalViewer`; the sharing functions
 * apply the one visibility rule for the viewer, and whatever the viewer may not see is the same
 * 404 page as what does not exist.
 */
export function sharePagesRoutes(deps: ApiDeps): Router<ViewerState> {
  const router = new Router<ViewerState>();
  const shown = (ctx: Ctx) => ({ member: ctx.state.member, csrf: ctx.state.session?.csrfToken, config: deps.config });
  const notFound = (ctx: Ctx) =>
    sendPage(ctx, <NotFoundPage member={ctx.state.member} csrf={ctx.state.session?.csrfToken} />, 404);

  router.get('/s/:token', async (ctx) => {
    const entry = await viewSharedRequest(deps, viewerOf(ctx), ctx.params.token);
    if (!entry) return notFound(ctx);
    await sendPage(ctx, <SharedRequestPage {...shown(ctx)} entry={entry} />);
  });

  router.get('/c/:token', async (ctx) => {
    const collection = await viewCollection(deps, viewerOf(ctx), ctx.params.token);
    if (!collection) return notFound(ctx);
    await sendPage(ctx, <CollectionPage {...shown(ctx)} collection={collection} />);
  });

  router.get('/u/:name', async (ctx) => {
    const profile = await viewProfile(deps, viewerOf(ctx), ctx.params.name);
    if (!profile) return notFound(ctx);
    await sendPage(ctx, <ProfilePage {...shown(ctx)} profile={profile} />);
  });

  return router;
}

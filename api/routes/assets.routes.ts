import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { isAssetId } from '../../db/ids';
import { findAsset } from '../../db/repositories/asset.repository';
import type { Asset } from '../../db/tables/asset.table';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { viewerOf, type ViewerState } from '../http/auth';
import { canView } from '../../domain/visibility';
import { parseRange } from '../http/byte-range';
import { downDependency, unavailableBecause } from '../http/dependency-errors';
import { checkAssetSignature } from '../../domain/signed-url';

const notFound = () => new ApiError(ErrorType.NotFound, 'No such asset.');

/**
 * `GET /api/inference/assets/<id>/`: streams a stored output (or kept upload) with its type and
 * byte ranges (so audio and video seek). A signed link (`?expires=&signature=`, as handed out in
 * answers) works without a key until it expires (403 once tampered with or expired). A plain link
 * obeys its request's visibility, like a share link (the asset id is as unguessable as a share
 * token): the owner always, anyone for PUBLIC and UNLISTED, signed-in members for PRIVATE; anyone
 * else gets the same 404 as a bad id.
 */
export function assetsRoutes({ db, storage, config }: ApiDeps, viewer: Middleware<ViewerState>): Router {
  const router = new Router();
  router.get('/api/inference/assets/:id', async (ctx) => {
    const id = ctx.params.id;
    const signed = ctx.query.signature !== undefined || ctx.query.expires !== undefined;
    if (signed) {
      const check = checkAssetSignature(config.api.gatewaySecret, id, ctx.query.expires, ctx.query.signature);
      if (check !== 'valid') {
        throw new ApiError(
          ErrorType.PermissionDenied,
          check === 'expired' ? 'This link has expired.' : 'This link is not valid.',
          { code: check === 'expired' ? 'link_expired' : 'invalid_signature' },
        );
      }
    } else {
      await viewer(ctx as unknown as Parameters<typeof viewer>[0], () => Promise.resolve());
    }
    const asset = isAssetId(id) ? await findAsset(db, id) : undefined;
    if (!asset) throw notFound();
    if (!signed) {
      const item = { memberId: asset.member_id, visibility: asset.visibility };
      if (!canView(viewerOf(ctx as unknown as { state: ViewerState }), item, 'link')) throw notFound();
      // Who may open it depends on the visitor: shared caches must not keep it.
      ctx.set('vary', 'Authorization, Cookie');
    }
    await serve(ctx, storage, asset).catch((err: unknown) => {
      throw downDependency(err) ? unavailableBecause('storage') : err;
    });
  });
  return router;
}

async function serve(ctx: Context, storage: ApiDeps['storage'], asset: Asset): Promise<void> {
  ctx.set('accept-ranges', 'bytes');
  // Private: a visibility change must reach the next view, so no shared cache keeps it long.
  ctx.set('cache-control', 'private, max-age=60');
  ctx.set('etag', `"${asset.id}"`);
  ctx.set('x-content-type-options', 'nosniff');
  ctx.type = asset.content_type;
  const range = parseRange(ctx.get('range') || undefined, asset.bytes);
  if (range === 'unsatisfiable') {
    throw new ApiError(ErrorType.RangeNotSatisfiable, 'The requested range is outside the asset.', {
      headers: { 'content-range': `bytes */${asset.bytes}` },
    });
  }
  if (!range) {
    ctx.length = asset.bytes;
    ctx.body = await storage.client.getObject(storage.bucket, asset.key);
    return;
  }
  const length = range.end - range.start + 1;
  ctx.status = 206;
  ctx.set('content-range', `bytes ${range.start}-${range.end}/${asset.bytes}`);
  ctx.length = length;
  ctx.body = await storage.client.getPartialObject(storage.bucket, asset.key, range.start, length);
}

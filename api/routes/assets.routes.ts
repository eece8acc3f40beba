import Router from '@koa/router';
import { findAsset } from '../../db/repositories/asset.repository';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { parseRange } from '../http/byte-range';

/**
 * `GET /api/inference/assets/<id>/`: streams a stored output with its type and byte ranges (so
 * audio and video seek). Only the owner may see it; anyone else gets the same 404 as a bad id.
 */
export function assetsRoutes({ db, storage }: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>();
  router.get('/api/inference/assets/:id', async (ctx) => {
    const asset = await findAsset(db, ctx.params.id);
    if (!asset || asset.member_id !== ctx.state.member.id) throw new ApiError(ErrorType.NotFound, 'No such asset.');
    ctx.set('accept-ranges', 'bytes');
    ctx.set('cache-control', 'private, max-age=31536000, immutable');
    ctx.set('etag', `"${asset.id}"`);
    ctx.type = asset.content_type;
    const range = parseRange(ctx.get('range') || undefined, asset.bytes);
    if (range === 'unsatisfiable') {
      ctx.set('content-range', `bytes */${asset.bytes}`);
      ctx.status = 416;
      ctx.body = { error: { message: 'The requested range is outside the asset.', type: 'range_not_satisfiable' } };
      return;
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
  });
  return router;
}

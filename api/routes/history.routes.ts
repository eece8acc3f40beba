import Router from '@koa/router';
import { findHistoryRow, setRequestVisibility } from '../../db/repositories/history.repository';
import { deleteOwnRequest, findOwnRequest } from '../sharing/own-request';
import { findCollection } from '../../db/repositories/collection.repository';
import { REQUEST_KINDS, REQUEST_STATUSES } from '../../workflows/inference-contract';
import { VISIBILITIES, type Visibility } from '../../domain/visibility';
import type { ApiDeps } from '../deps';
import { badRequest } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { enumParam, limitParam, queryParam } from '../http/list-params';
import { readJsonBody } from '../http/read-body';
import { validate } from '../http/validate';
import { listHistory, viewRequestById } from '../sharing/sharing-views';

/**
 * The member's history (`/api/inference/requests/`): every request they made, whatever made it
 * (a call, a job, a batch item, a run's step), with its input, output, visibility and share link.
 */
export function historyRoutes(deps: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/inference/requests' });

  router.get('/', async (ctx) => {
    const memberId = ctx.state.member.id;
    const limit = limitParam(ctx);
    const collection = queryParam(ctx, 'collection');
    const collectionRow = collection === undefined ? undefined : await findCollection(deps.db, memberId, collection);
    if (collection !== undefined && !collectionRow) {
      throw badRequest("'collection' is not one of your collections (give its id).", { param: 'collection' });
    }
    const afterId = queryParam(ctx, 'after');
    const after = afterId === undefined ? undefined : await findHistoryRow(deps.db, afterId);
    if (afterId !== undefined && after?.member_id !== memberId) {
      throw badRequest("'after' is not one of your requests.", { param: 'after' });
    }
    const model = queryParam(ctx, 'model');
    if (model !== undefined && (model.length < 1 || model.length > 256 || model.includes('\u0000'))) {
      throw badRequest("'model' must be a model id.", { param: 'model' });
    }
    ctx.body = await listHistory(deps, memberId, {
      kind: enumParam(ctx, 'kind', Object.keys(REQUEST_KINDS)),
      model,
      collectionId: collectionRow?.id,
      visibility: enumParam<Visibility>(ctx, 'visibility', VISIBILITIES),
      status: enumParam(ctx, 'status', REQUEST_STATUSES),
      limit,
      after,
    });
  });

  router.patch('/:id', async (ctx) => {
    const own = await findOwnRequest(deps.db, ctx.state.member.id, String(ctx.params.id));
    const patch = validate<{ visibility: Visibility }>('RequestPatch', await readJsonBody(ctx, 64 * 1024));
    await setRequestVisibility(deps.db, own.member_id, own.id, patch.visibility);
    ctx.body = await viewRequestById(deps, { memberId: own.member_id }, own.id);
  });

  router.delete('/:id', async (ctx) => {
    await deleteOwnRequest(deps, ctx.state.member.id, String(ctx.params.id));
    ctx.body = { id: ctx.params.id, object: 'inference.request', deleted: true };
  });

  return router;
}

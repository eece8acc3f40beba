import Router from '@koa/router';
import type { Context } from 'koa';
import {
  addCollectionItems,
  deleteCollection,
  findCollection,
  getOrCreateCollection,
  listCollections,
  nameTaken,
  removeCollectionItem,
  reorderCollection,
  updateCollection,
} from '../../db/repositories/collection.repository';
import { isRequestId } from '../../db/ids';
import { DEFAULT_VISIBILITY, type Visibility } from '../../domain/visibility';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { readJsonBody } from '../http/read-body';
import { validate } from '../http/validate';
import { collectionObject, collectionView } from '../sharing/sharing-views';

const notFound = () => new ApiError(ErrorType.NotFound, 'No such collection.');
const MAX_BODY = 128 * 1024;

/**
 * The member's collections (`/api/inference/collections/`): named, ordered sets of their requests
 * with a visibility of their own. Names are unique per member, case-insensitively.
 */
export function collectionsRoutes(deps: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/inference/collections' });
  const { db } = deps;

  /** Get-or-create by name: 201 when created, 200 with the existing one (unchanged) otherwise. */
  router.post('/', async (ctx) => {
    const body = validate<{ name: string; visibility?: Visibility }>(
      'CollectionCreate',
      await readJsonBody(ctx, MAX_BODY),
    );
    const { member } = ctx.state;
    const { collection, created } = await getOrCreateCollection(
      db,
      member.id,
      body.name.trim(),
      body.visibility ?? member.default_request_visibility ?? DEFAULT_VISIBILITY,
    );
    ctx.status = created ? 201 : 200;
    ctx.body = await collectionView(deps, { memberId: member.id }, collection, member.name);
  });

  router.get('/', async (ctx) => {
    const { member } = ctx.state;
    const rows = await listCollections(db, member.id);
    ctx.body = { object: 'list', data: rows.map((c) => collectionObject(deps, c, c.item_count, member.name)) };
  });

  router.get('/:id', async (ctx) => {
    const collection = await own(ctx);
    ctx.body = await collectionView(deps, { memberId: ctx.state.member.id }, collection, ctx.state.member.name);
  });

  router.patch('/:id', async (ctx) => {
    const collection = await own(ctx);
    const patch = validate<{ name?: string; visibility?: Visibility; order?: string[] }>(
      'CollectionPatch',
      await readJsonBody(ctx, MAX_BODY),
    );
    const name = patch.name?.trim();
    if (name !== undefined && (await nameTaken(db, collection.member_id, name, collection.id))) {
      throw new ApiError(ErrorType.Conflict, `You already have a collection named '${name}'.`, { param: 'name' });
    }
    if (name !== undefined || patch.visibility !== undefined) {
      await updateCollection(db, collection.member_id, collection.id, {
        ...(name !== undefined && { name }),
        ...(patch.visibility !== undefined && { visibility: patch.visibility }),
      }).catch((err: unknown) => {
        // Renamed at the same moment by another request: the unique index decides.
        if ((err as { code?: string }).code === '23505') {
          throw new ApiError(ErrorType.Conflict, `You already have a collection named '${name}'.`, { param: 'name' });
        }
        throw err;
      });
    }
    if (patch.order) await reorderCollection(db, collection.id, [...new Set(patch.order)]);
    const updated = (await findCollection(db, collection.member_id, collection.id)) ?? collection;
    ctx.body = await collectionView(deps, { memberId: ctx.state.member.id }, updated, ctx.state.member.name);
  });

  router.delete('/:id', async (ctx) => {
    const collection = await own(ctx);
    await deleteCollection(db, collection.member_id, collection.id);
    ctx.body = { id: collection.id, object: 'collection', deleted: true };
  });

  /** Appends requests of the member's own, in order (ones already in it stay where they are). */
  router.post('/:id/items', async (ctx) => {
    const collection = await own(ctx);
    const { request_ids: ids } = validate<{ request_ids: string[] }>(
      'CollectionItems',
      await readJsonBody(ctx, MAX_BODY),
    );
    const unique = [...new Set(ids)];
    const mine = await db
      .selectFrom('requests')
      .select('id')
      .where('member_id', '=', collection.member_id)
      .where('id', 'in', unique)
      .execute();
    const found = new Set(mine.map((r) => r.id));
    const missing = unique.findIndex((id) => !found.has(id));
    if (missing >= 0) {
      throw badRequest(`request_ids[${ids.indexOf(unique[missing])}] is not one of your requests.`, {
        param: `request_ids[${ids.indexOf(unique[missing])}]`,
      });
    }
    await addCollectionItems(db, collection.id, unique);
    ctx.body = await collectionView(deps, { memberId: ctx.state.member.id }, collection, ctx.state.member.name);
  });

  /** Removes one request from the collection; it stays in the history. */
  router.delete('/:id/items/:requestId', async (ctx) => {
    const collection = await own(ctx);
    const requestId = ctx.params.requestId;
    if (!isRequestId(requestId) || !(await removeCollectionItem(db, collection.id, requestId))) {
      throw new ApiError(ErrorType.NotFound, 'That request is not in this collection.');
    }
    ctx.body = await collectionView(deps, { memberId: ctx.state.member.id }, collection, ctx.state.member.name);
  });

  async function own(ctx: Context & { state: AuthState }) {
    const collection = await findCollection(db, ctx.state.member.id, String(ctx.params.id));
    if (!collection) throw notFound();
    return collection;
  }

  return router;
}

import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Visibility } from '../../domain/visibility';
import type { Db } from '../database';
import type { Collection } from '../tables/collection.table';

/** Collection ids: `col_` and 16 random bytes (base64url): not enumerable. */
export function newCollectionId(): string {
  return `col_${randomBytes(16).toString('base64url')}`;
}

export function isCollectionId(value: unknown): value is string {
  return typeof value === 'string' && /^col_[A-Za-z0-9_-]{22}$/.test(value);
}

/** A share token as the database makes them: 64 hex characters. */
export function isShareToken(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}

/**
 * The member's collection of that name (case-insensitive), created with `visibility` if there is
 * none; with `requestId`, the request is appended to its playlist order. One statement, safe
 * against concurrent first uses.
 */
export async function getOrCreateCollection(
  db: Db,
  memberId: string,
  name: string,
  visibility: Visibility,
  requestId?: string,
): Promise<{ collection: Collection; created: boolean }> {
  const id = newCollectionId();
  const result = await sql<Collection & { created: boolean }>`
    with created as (
      insert into collections (id, member_id, name, visibility)
      values (${id}, ${memberId}, ${name}, ${visibility})
      on conflict (member_id, lower(name)) do nothing
      returning *
    ), found as (
      select *, true as created from created
      union all
      select *, false as created from collections where member_id = ${memberId} and lower(name) = lower(${name})
      limit 1
    ), appended as (
      insert into collection_items (collection_id, request_id)
      select id, ${requestId ?? null}::text from found where ${requestId ?? null}::text is not null
      on conflict do nothing
    )
    select * from found`.execute(db);
  const { created, ...collection } = result.rows[0];
  return { collection, created };
}

export async function findCollection(db: Db, memberId: string, id: string): Promise<Collection | undefined> {
  if (!isCollectionId(id)) return undefined;
  return db
    .selectFrom('collections')
    .selectAll()
    .where('id', '=', id)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
}

export async function findCollectionByToken(db: Db, token: string): Promise<Collection | undefined> {
  if (!isShareToken(token)) return undefined;
  return db.selectFrom('collections').selectAll().where('share_token', '=', token).executeTakeFirst();
}

export interface CollectionSummary extends Collection {
  item_count: number;
}

/**
 * A member's collections, newest first (with `visibility`, only those). `item_count` counts the
 * items whose visibility is in `counting` (all of them by default: the owner's view).
 */
export async function listCollections(
  db: Db,
  memberId: string,
  only?: { visibility?: Visibility; counting?: Visibility[] },
): Promise<CollectionSummary[]> {
  const counting = only?.counting ?? ['PUBLIC', 'UNLISTED', 'PRIVATE', 'SECRET'];
  let query = db
    .selectFrom('collections')
    .selectAll('collections')
    .select((eb) =>
      eb
        .selectFrom('collection_items')
        .innerJoin('requests', 'requests.id', 'collection_items.request_id')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('collection_items.collection_id', '=', 'collections.id')
        .where('requests.visibility', 'in', counting)
        .as('item_count'),
    )
    .where('member_id', '=', memberId)
    .orderBy('created_at', 'desc')
    .orderBy('id');
  if (only?.visibility) query = query.where('visibility', '=', only.visibility);
  const rows = await query.execute();
  return rows.map((r) => ({ ...r, item_count: Number(r.item_count ?? 0) }));
}

/** The ids of a collection's requests in playlist order (only requests whose row exists). */
export async function collectionRequestIds(db: Db, collectionId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('collection_items')
    .innerJoin('requests', 'requests.id', 'collection_items.request_id')
    .select('collection_items.request_id')
    .where('collection_items.collection_id', '=', collectionId)
    .orderBy('collection_items.position')
    .orderBy('collection_items.added_at')
    .execute();
  return rows.map((r) => r.request_id);
}

/** The collections each request belongs to (id and name). */
export async function collectionsOfRequests(
  db: Db,
  requestIds: string[],
): Promise<Map<string, { id: string; name: string }[]>> {
  const byRequest = new Map<string, { id: string; name: string }[]>();
  if (requestIds.length === 0) return byRequest;
  const rows = await db
    .selectFrom('collection_items')
    .innerJoin('collections', 'collections.id', 'collection_items.collection_id')
    .select(['collection_items.request_id', 'collections.id', 'collections.name'])
    .where('collection_items.request_id', 'in', requestIds)
    .orderBy('collections.name')
    .execute();
  for (const row of rows) {
    const list = byRequest.get(row.request_id) ?? [];
    list.push({ id: row.id, name: row.name });
    byRequest.set(row.request_id, list);
  }
  return byRequest;
}

export async function updateCollection(
  db: Db,
  memberId: string,
  id: string,
  patch: { name?: string; visibility?: Visibility },
): Promise<Collection | undefined> {
  return db
    .updateTable('collections')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .where('member_id', '=', memberId)
    .returningAll()
    .executeTakeFirst();
}

/** Whether another collection of the member already has this name (case-insensitive). */
export async function nameTaken(db: Db, memberId: string, name: string, exceptId: string): Promise<boolean> {
  const row = await db
    .selectFrom('collections')
    .select('id')
    .where('member_id', '=', memberId)
    .where(sql<string>`lower(name)`, '=', name.toLowerCase())
    .where('id', '!=', exceptId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Puts the collection's items in this order: the listed ones first, in the order given, then any
 * others in their current order. Positions are rewritten in one transaction.
 */
export async function reorderCollection(db: Db, collectionId: string, requestIds: string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('collection_items')
      .select('request_id')
      .where('collection_id', '=', collectionId)
      .orderBy('position')
      .orderBy('added_at')
      .forUpdate()
      .execute();
    const listed = new Set(requestIds);
    const order = [...requestIds, ...current.map((r) => r.request_id).filter((id) => !listed.has(id))];
    for (const [index, requestId] of order.entries()) {
      await trx
        .updateTable('collection_items')
        .set({ position: index + 1 })
        .where('collection_id', '=', collectionId)
        .where('request_id', '=', requestId)
        .execute();
    }
    await trx.updateTable('collections').set({ updated_at: new Date() }).where('id', '=', collectionId).execute();
  });
}

/** Appends requests (the member's own; checked by the caller) to the end of the playlist, in order. */
export async function addCollectionItems(db: Db, collectionId: string, requestIds: string[]): Promise<void> {
  if (requestIds.length === 0) return;
  await db
    .insertInto('collection_items')
    .values(requestIds.map((requestId) => ({ collection_id: collectionId, request_id: requestId })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function removeCollectionItem(db: Db, collectionId: string, requestId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('collection_items')
    .where('collection_id', '=', collectionId)
    .where('request_id', '=', requestId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Deletes the collection; its requests stay in the history. */
export async function deleteCollection(db: Db, memberId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('collections')
    .where('id', '=', id)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

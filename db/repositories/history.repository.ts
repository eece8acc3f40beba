import type { Visibility } from '../../domain/visibility';
import type { Db } from '../database';
import { isRequestId } from '../ids';
import type { RequestRow } from '../tables/request.table';
import { isShareToken } from './collection.repository';

/** A request as its history shows it: the row and its owner's name. */
export type HistoryRow = RequestRow & { owner_name: string };

export interface HistoryFilters {
  kind?: string;
  model?: string;
  collectionId?: string;
  visibility?: Visibility;
  status?: string;
  limit: number;
  /** The page starts after this request (newest first). */
  after?: HistoryRow;
}

function withOwner(db: Db) {
  return db
    .selectFrom('requests')
    .innerJoin('members', 'members.id', 'requests.member_id')
    .selectAll('requests')
    .select('members.name as owner_name');
}

export async function findHistoryRow(db: Db, id: string): Promise<HistoryRow | undefined> {
  if (!isRequestId(id)) return undefined;
  return withOwner(db).where('requests.id', '=', id).executeTakeFirst();
}

export async function findHistoryRowByToken(db: Db, token: string): Promise<HistoryRow | undefined> {
  if (!isShareToken(token)) return undefined;
  return withOwner(db).where('requests.share_token', '=', token).executeTakeFirst();
}

export async function findHistoryRows(db: Db, ids: string[]): Promise<HistoryRow[]> {
  if (ids.length === 0) return [];
  return withOwner(db).where('requests.id', 'in', ids).execute();
}

/** The member's history, newest first, one page (one more row than `limit` says more follow). */
export async function listHistoryRows(db: Db, memberId: string, f: HistoryFilters): Promise<HistoryRow[]> {
  let query = withOwner(db)
    .where('requests.member_id', '=', memberId)
    .orderBy('requests.created_at', 'desc')
    .orderBy('requests.id', 'desc')
    .limit(f.limit + 1);
  if (f.kind) query = query.where('requests.kind', '=', f.kind);
  if (f.model) query = query.where('requests.model', '=', f.model);
  if (f.visibility) query = query.where('requests.visibility', '=', f.visibility);
  if (f.status) query = query.where('requests.status', '=', f.status);
  if (f.collectionId) {
    const collectionId = f.collectionId;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('collection_items')
          .select('collection_items.request_id')
          .whereRef('collection_items.request_id', '=', 'requests.id')
          .where('collection_items.collection_id', '=', collectionId),
      ),
    );
  }
  if (f.after) {
    const { created_at: at, id } = f.after;
    query = query.where((eb) =>
      eb.or([
        eb('requests.created_at', '<', at),
        eb.and([eb('requests.created_at', '=', at), eb('requests.id', '<', id)]),
      ]),
    );
  }
  return query.execute();
}

/** A member's public requests, newest first (their profile). */
export async function listPublicRows(db: Db, memberId: string, limit: number): Promise<HistoryRow[]> {
  return withOwner(db)
    .where('requests.member_id', '=', memberId)
    .where('requests.visibility', '=', 'PUBLIC')
    .orderBy('requests.created_at', 'desc')
    .orderBy('requests.id', 'desc')
    .limit(limit)
    .execute();
}

export async function setRequestVisibility(
  db: Db,
  memberId: string,
  id: string,
  visibility: Visibility,
): Promise<boolean> {
  const result = await db
    .updateTable('requests')
    .set({ visibility })
    .where('id', '=', id)
    .where('member_id', '=', memberId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Deletes a finished request from its owner's history: its row, its assets' rows and its places in
 * collections, in one transaction. Returns the bucket keys that held its bytes (to remove next).
 */
export async function deleteHistoryRow(db: Db, memberId: string, id: string): Promise<string[] | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('requests')
      .select(['id', 'result_key'])
      .where('id', '=', id)
      .where('member_id', '=', memberId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return undefined;
    const assets = await trx.deleteFrom('assets').where('request_id', '=', id).returning('key').execute();
    await trx.deleteFrom('collection_items').where('request_id', '=', id).execute();
    await trx.deleteFrom('requests').where('id', '=', id).execute();
    return [...assets.map((a) => a.key), ...(row.result_key ? [row.result_key] : [])];
  });
}

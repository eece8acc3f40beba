import { randomBytes } from 'node:crypto';
import type { Db } from '../database';
import type { Asset } from '../tables/asset.table';

export function newAssetId(): string {
  return randomBytes(18).toString('base64url');
}

export interface NewAsset {
  requestId: string;
  memberId: string;
  position: number;
  key: string;
  contentType: string;
  bytes: number;
}

/** Idempotent per (request, position): a retried activity returns the rows already written. */
export async function insertAssets(db: Db, assets: NewAsset[]): Promise<Asset[]> {
  if (assets.length === 0) return [];
  await db
    .insertInto('assets')
    .values(
      assets.map((a) => ({
        id: newAssetId(),
        request_id: a.requestId,
        member_id: a.memberId,
        position: a.position,
        key: a.key,
        content_type: a.contentType,
        bytes: a.bytes,
      })),
    )
    .onConflict((oc) => oc.columns(['request_id', 'position']).doNothing())
    .execute();
  return db
    .selectFrom('assets')
    .selectAll()
    .where('request_id', '=', assets[0].requestId)
    .orderBy('position')
    .execute()
    .then((rows) => rows.map((r) => ({ ...r, bytes: Number(r.bytes) })));
}

export async function findAsset(db: Db, id: string): Promise<Asset | undefined> {
  const row = await db.selectFrom('assets').selectAll().where('id', '=', id).executeTakeFirst();
  return row && { ...row, bytes: Number(row.bytes) };
}

import { randomBytes } from 'node:crypto';
import type { Db } from '../database';
import type { Asset, VoiceSample } from '../tables/asset.table';

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

export async function insertVoiceSample(db: Db, sample: Omit<VoiceSample, 'id' | 'created_at'>): Promise<VoiceSample> {
  return db.insertInto('voice_samples').values(sample).returningAll().executeTakeFirstOrThrow();
}

export async function listVoiceSamples(db: Db, memberId: string): Promise<VoiceSample[]> {
  return db.selectFrom('voice_samples').selectAll().where('member_id', '=', memberId).orderBy('id').execute();
}

/** The member's own samples among `ids`; samples of other members are simply not found. */
export async function findOwnVoiceSamples(db: Db, memberId: string, ids: number[]): Promise<VoiceSample[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('voice_samples').selectAll().where('member_id', '=', memberId).where('id', 'in', ids).execute();
}

export async function deleteVoiceSample(db: Db, memberId: string, id: number): Promise<VoiceSample | undefined> {
  return db
    .deleteFrom('voice_samples')
    .where('member_id', '=', memberId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

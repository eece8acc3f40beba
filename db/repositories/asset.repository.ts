import { randomBytes } from 'node:crypto';
import type { Db } from '../database';
import type { Asset } from '../tables/asset.table';
import type { Visibility } from '../../domain/visibility';

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
  /** `output` unless said: `input` for a kept upload. */
  role?: 'input' | 'output';
}

/** Idempotent per (request, role, position): a retried activity returns the rows already written (of that role). */
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
        role: a.role ?? 'output',
      })),
    )
    .onConflict((oc) => oc.columns(['request_id', 'role', 'position']).doNothing())
    .execute();
  return db
    .selectFrom('assets')
    .selectAll()
    .where('request_id', '=', assets[0].requestId)
    .where('role', '=', assets[0].role ?? 'output')
    .orderBy('position')
    .execute()
    .then((rows) => rows.map((r) => ({ ...r, bytes: Number(r.bytes) })));
}

/** An asset with the visibility of its request (which its plain link obeys). */
export async function findAsset(db: Db, id: string): Promise<(Asset & { visibility: Visibility }) | undefined> {
  const row = await db
    .selectFrom('assets')
    .innerJoin('requests', 'requests.id', 'assets.request_id')
    .selectAll('assets')
    .select('requests.visibility')
    .where('assets.id', '=', id)
    .executeTakeFirst();
  return row && { ...row, bytes: Number(row.bytes) };
}

/** The stored outputs (or, with role `input`, the kept uploads) of each request, in order. */
export async function assetsOfRequests(
  db: Db,
  requestIds: string[],
  role: 'input' | 'output' = 'output',
): Promise<Map<string, Asset[]>> {
  const byRequest = new Map<string, Asset[]>();
  if (requestIds.length === 0) return byRequest;
  const rows = await db
    .selectFrom('assets')
    .selectAll()
    .where('request_id', 'in', requestIds)
    .where('role', '=', role)
    .orderBy('request_id')
    .orderBy('position')
    .execute();
  for (const row of rows) {
    const list = byRequest.get(row.request_id) ?? [];
    list.push({ ...row, bytes: Number(row.bytes) });
    byRequest.set(row.request_id, list);
  }
  return byRequest;
}

import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../database';
import type { Member } from '../tables/member.table';
import type { Visibility } from '../../domain/visibility';

const KEY_PREFIX = 'ic_';
/** Standard Webhooks' secret format: this prefix, then the base64 of the HMAC key. */
const WEBHOOK_SECRET_PREFIX = 'whsec_';
const MEMBER_COLUMNS = ['id', 'name', 'created_at', 'default_request_visibility', 'default_collection_name'] as const;

/** The member's columns as a join names them (a key's or a session's member). */
export const JOINED_MEMBER_COLUMNS = MEMBER_COLUMNS.map((c) => `members.${c}` as const);

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export async function createMember(db: Db, name: string): Promise<Member> {
  return db.insertInto('members').values({ name }).returning(MEMBER_COLUMNS).executeTakeFirstOrThrow();
}

export async function findMemberByName(db: Db, name: string): Promise<Member | undefined> {
  return db.selectFrom('members').select(MEMBER_COLUMNS).where('name', '=', name).executeTakeFirst();
}

/** Issues a new key; only its hash is stored, so the returned key is the one chance to see it. */
export async function createApiKey(db: Db, memberId: string): Promise<string> {
  const key = KEY_PREFIX + randomBytes(24).toString('base64url');
  await db
    .insertInto('api_keys')
    .values({ member_id: memberId, key_hash: hashApiKey(key), prefix: key.slice(0, 10), revoked_at: null })
    .execute();
  return key;
}

export async function findMemberByApiKey(db: Db, key: string): Promise<Member | undefined> {
  return db
    .selectFrom('api_keys')
    .innerJoin('members', 'members.id', 'api_keys.member_id')
    .select(JOINED_MEMBER_COLUMNS)
    .where('api_keys.key_hash', '=', hashApiKey(key))
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
}

/** A new webhook signing secret: `whsec_` and the base64 of 32 random bytes (an HMAC-SHA256 key). */
export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

/**
 * The member's webhook signing secret, created on first use; undefined for an unknown member.
 * Atomic: concurrent first calls all get the one secret that was stored (the update keeps a secret
 * another call stored first).
 */
export async function getOrCreateWebhookSecret(db: Db, memberId: string): Promise<string | undefined> {
  const row = await db.selectFrom('members').select('webhook_secret').where('id', '=', memberId).executeTakeFirst();
  if (!row) return undefined;
  if (row.webhook_secret) return row.webhook_secret;
  const created = await db
    .updateTable('members')
    .set((eb) => ({ webhook_secret: eb.fn.coalesce('webhook_secret', eb.val(newWebhookSecret())) }))
    .where('id', '=', memberId)
    .returning('webhook_secret')
    .executeTakeFirst();
  return created?.webhook_secret ?? undefined;
}

/** A key as its owner sees it in the dashboard: never the key itself (only its hash is stored). */
export interface ApiKeySummary {
  id: string;
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

/** The member's keys, newest first, revoked ones included (marked). */
export async function listApiKeys(db: Db, memberId: string): Promise<ApiKeySummary[]> {
  return db
    .selectFrom('api_keys')
    .select(['id', 'prefix', 'created_at', 'revoked_at'])
    .where('member_id', '=', memberId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

/**
 * Revokes one of the member's keys; false when it is not theirs, unknown or revoked already.
 * Bearer lookups are cached for a few seconds, so a revoked key stops working within that.
 */
export async function revokeApiKey(db: Db, memberId: string, keyId: string): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('id', '=', keyId)
    .where('member_id', '=', memberId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export interface AccountDefaults {
  default_request_visibility?: Visibility;
  default_collection_name?: string | null;
}

export async function readAccount(db: Db, memberId: string): Promise<Member | undefined> {
  return db.selectFrom('members').select(MEMBER_COLUMNS).where('id', '=', memberId).executeTakeFirst();
}

export async function updateAccountDefaults(
  db: Db,
  memberId: string,
  defaults: AccountDefaults,
): Promise<Member | undefined> {
  if (Object.keys(defaults).length === 0) return readAccount(db, memberId);
  return db
    .updateTable('members')
    .set(defaults)
    .where('id', '=', memberId)
    .returning(MEMBER_COLUMNS)
    .executeTakeFirst();
}

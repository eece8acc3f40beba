import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../database';
import type { Member } from '../tables/member.table';

const KEY_PREFIX = 'ic_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export async function createMember(db: Db, name: string): Promise<Member> {
  return db.insertInto('members').values({ name }).returningAll().executeTakeFirstOrThrow();
}

export async function findMemberByName(db: Db, name: string): Promise<Member | undefined> {
  return db.selectFrom('members').selectAll().where('name', '=', name).executeTakeFirst();
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
    .select(['members.id', 'members.name', 'members.created_at'])
    .where('api_keys.key_hash', '=', hashApiKey(key))
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
}

import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../database';
import { JOINED_MEMBER_COLUMNS } from './member.repository';
import type { Member } from '../tables/member.table';

/** How long a browser stays signed in. */
export const SESSION_DAYS = 30;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A signed-in browser: its member and the CSRF token its forms carry. */
export interface SessionMember {
  member: Member;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Opens a session for `memberId`: a 256-bit random cookie token (returned, never stored: the
 * table holds its sha256) and a CSRF token of its own. Expired sessions are swept on the way.
 */
export async function createSession(
  db: Db,
  memberId: string,
): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  await db.deleteFrom('sessions').where('expires_at', '<', new Date()).execute();
  await db
    .insertInto('sessions')
    .values({ id_hash: sha256(token), member_id: memberId, csrf_token: csrfToken, expires_at: expiresAt })
    .execute();
  return { token, csrfToken, expiresAt };
}

/** The member a cookie token signs in, while its session lasts. */
export async function findSession(db: Db, token: string): Promise<SessionMember | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('members', 'members.id', 'sessions.member_id')
    .select([...JOINED_MEMBER_COLUMNS, 'sessions.csrf_token', 'sessions.expires_at'])
    .where('sessions.id_hash', '=', sha256(token))
    .where('sessions.expires_at', '>', new Date())
    .executeTakeFirst();
  if (!row) return undefined;
  const { csrf_token, expires_at, ...member } = row;
  return { member, csrfToken: csrf_token, expiresAt: expires_at };
}

/** Signs a browser out: its cookie token opens nothing from now on. */
export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', sha256(token)).execute();
}

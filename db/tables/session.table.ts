import type { ColumnType } from 'kysely';

/** A browser session: a member signed in with an API key; the cookie holds the token, never stored. */
export interface SessionTable {
  /** sha256 of the cookie's token. */
  id_hash: string;
  member_id: string;
  /** The token every form and cookie-authenticated unsafe request must carry. */
  csrf_token: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  expires_at: Date;
}

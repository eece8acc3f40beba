import type { ColumnType, Generated, Selectable } from 'kysely';

export interface MemberTable {
  id: Generated<string>;
  name: string;
  created_at: ColumnType<Date, never, never>;
}

export interface ApiKeyTable {
  id: Generated<string>;
  member_id: string;
  /** sha256 of the key; the key itself is shown once and never stored. */
  key_hash: string;
  /** The first characters, so a member can tell their keys apart. */
  prefix: string;
  created_at: ColumnType<Date, never, never>;
  revoked_at: Date | null;
}

export type Member = Selectable<MemberTable>;

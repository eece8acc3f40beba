import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Visibility } from '../../domain/visibility';

export interface MemberTable {
  id: Generated<string>;
  name: string;
  created_at: ColumnType<Date, never, never>;
  /**
   * The member's Standard Webhooks signing secret (`whsec_<base64>`); null until first needed
   * (`getOrCreateWebhookSecret`).
   */
  webhook_secret: ColumnType<string | null, string | null | undefined, string | null>;
  /** What new requests get when they don't say (`visibility`). */
  default_request_visibility: ColumnType<Visibility, Visibility | undefined, Visibility>;
  /** The collection new requests join when they don't say (`collection`); null: none. */
  default_collection_name: ColumnType<string | null, string | null | undefined, string | null>;
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

/** A member as the API knows it: never the webhook secret, which only its own route and activity read. */
export type Member = Omit<Selectable<MemberTable>, 'webhook_secret'>;

import type { ColumnType, Selectable } from 'kysely';
import type { Visibility } from '../../domain/visibility';

/** A member's named, ordered set of requests (an album, a gallery); its visibility is its own. */
export interface CollectionTable {
  /** `col_` and random letters: unguessable. */
  id: string;
  member_id: string;
  /** Unique per member, case-insensitively. */
  name: string;
  visibility: Visibility;
  share_token: ColumnType<string, string | undefined, never>;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** A request's place in a collection's playlist order (ascending `position`). */
export interface CollectionItemTable {
  collection_id: string;
  request_id: string;
  position: ColumnType<string, number | undefined, number>;
  added_at: ColumnType<Date, Date | undefined, never>;
}

export type Collection = Selectable<CollectionTable>;

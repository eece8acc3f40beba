import type { ColumnType, Selectable } from 'kysely';

/** A file of the Files API (`/v1/files`): batch inputs, batch outputs and user data; private to its owner. */
export interface FileTable {
  /** `file-` and 24 random letters and digits: unguessable, as OpenAI's are. */
  id: string;
  member_id: string;
  filename: string;
  /** `batch`, `batch_output` or `user_data`. */
  purpose: string;
  bytes: number;
  /** Where the bytes are in the bucket. */
  key: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export type FileRow = Selectable<FileTable>;

import type { ColumnType, JSONColumnType, Selectable } from 'kysely';

/** A batch of up to 256 jobs (OpenAI's batch object, kept by the batch workflow). */
export interface BatchTable {
  id: string;
  member_id: string;
  endpoint: string | null;
  /** validating, in_progress, finalizing, completed, failed, cancelling, cancelled */
  status: string;
  total: number;
  input_file_id: string | null;
  output_file_id: string | null;
  error_file_id: string | null;
  completion_window: string | null;
  metadata: JSONColumnType<Record<string, string> | null, string | null, string | null>;
  errors: JSONColumnType<unknown[] | null, string | null, string | null>;
  idempotency_key: string | null;
  body_hash: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  in_progress_at: Date | null;
  finalizing_at: Date | null;
  completed_at: Date | null;
  failed_at: Date | null;
  cancelling_at: Date | null;
  cancelled_at: Date | null;
}

export type BatchRow = Selectable<BatchTable>;

import type { ColumnType, JSONColumnType, Selectable } from 'kysely';

/** A workflow run: its owner, spec and inputs, its status as it changes, its final state once ended. */
export interface RunTable {
  id: string;
  member_id: string;
  template: string | null;
  /** RUNNING, AWAITING, DONE, FAILED, CANCELED */
  status: string;
  spec: JSONColumnType<{ steps: unknown[] }>;
  inputs: JSONColumnType<Record<string, unknown>>;
  state: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  idempotency_key: string | null;
  body_hash: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  finished_at: Date | null;
}

export type RunRow = Selectable<RunTable>;

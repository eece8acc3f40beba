import type { ColumnType, JSONColumnType, Selectable } from 'kysely';

export interface RequestTable {
  id: string;
  member_id: string;
  kind: string;
  model: string;
  service_type: string;
  workflow_id: string;
  provider_id: string | null;
  status: string;
  error_type: string | null;
  error_message: string | null;
  attempts: number;
  usage: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  created_at: ColumnType<Date, Date | undefined, never>;
  finished_at: Date | null;
  latency_ms: number | null;
}

export type RequestRow = Selectable<RequestTable>;

import type { ColumnType, JSONColumnType, Selectable } from 'kysely';
import type { Visibility } from '../../domain/visibility';

/** One inference request, sync or async (a job), whatever its outcome. */
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
  /** When an agent took the task (QUEUED until then). */
  started_at: Date | null;
  finished_at: Date | null;
  latency_ms: number | null;
  /** True for async jobs (and batch items): the answer is kept for the client to fetch. */
  async: ColumnType<boolean, boolean | undefined, boolean>;
  endpoint: string | null;
  batch_id: string | null;
  batch_index: number | null;
  custom_id: string | null;
  idempotency_key: string | null;
  /** sha256 of endpoint and body: the same Idempotency-Key with another body is refused. */
  body_hash: string | null;
  /** The stored JSON answer of a job (the bucket key), once it succeeded. */
  result_key: string | null;
  webhook_url: string | null;
  /** Which run of the job this is: 1, then 2 after the first retry... (names each webhook delivery). */
  run: ColumnType<number, number | undefined, number>;
  /** A request made by a workflow run's step: the run and the step. */
  run_id: ColumnType<string | null, string | null | undefined, string | null>;
  run_step: ColumnType<string | null, string | null | undefined, string | null>;
  visibility: ColumnType<Visibility, Visibility | undefined, Visibility>;
  /** The unguessable token of the request's share link (`/s/<token>`). */
  share_token: ColumnType<string, never, never>;
  /** What was asked, for the history: the body without secrets, uploads or long strings. */
  input: JSONColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  /** The text answer (chat, completion, transcription), streamed ones included; capped. */
  output_text: ColumnType<string | null, string | null | undefined, string | null>;
}

export type RequestRow = Selectable<RequestTable>;

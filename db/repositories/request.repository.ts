import type { RequestStatus } from '../../workflows/inference-contract';
import { sql } from 'kysely';
import type { Db } from '../database';
import type { RequestHistory } from '../../domain/request-sharing';
import { withoutNul } from '../../domain/history-input';

/** What every request row says about the request, whatever its outcome. */
export interface RequestRecord {
  requestId: string;
  memberId: string;
  kind: string;
  model: string;
  serviceType: string;
  workflowId: string;
  /** When the request's workflow started (ISO 8601): the row's created_at and latency origin. */
  startedAt: string;
  /** A request made by a workflow run's step. */
  runId?: string;
  runStep?: string;
  /** Its visibility and what was asked, written with the first row (absent: the defaults, nothing). */
  history?: RequestHistory;
}

/** A row to write: the request, and the provider of its latest attempt (null when none was tried). */
export type NewRequest = RequestRecord & { providerId: string | null };

/**
 * The request's first row, QUEUED on its first provider. Idempotent: a retried write, or a job
 * whose row the API wrote before starting it, only gains (or moves to) the workflow's provider; a
 * row already final is left alone.
 */
export async function insertRequest(db: Db, r: NewRequest, status: RequestStatus): Promise<void> {
  await db
    .insertInto('requests')
    .values({
      ...row(r),
      status,
      error_type: null,
      error_message: null,
      attempts: r.providerId ? 1 : 0,
      usage: null,
      finished_at: null,
      latency_ms: null,
    })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          provider_id: eb.fn.coalesce('excluded.provider_id', 'requests.provider_id'),
          attempts: sql<number>`greatest(requests.attempts, excluded.attempts)`,
        }))
        .where('requests.finished_at', 'is', null),
    )
    .execute();
}

/** Another provider takes over: the request waits again, on it. */
export async function recordAttempt(db: Db, id: string, providerId: string): Promise<void> {
  await db
    .updateTable('requests')
    .set((eb) => ({ provider_id: providerId, attempts: eb('attempts', '+', 1), status: 'QUEUED', started_at: null }))
    .where('id', '=', id)
    .where('finished_at', 'is', null)
    .execute();
}

/**
 * An agent took the task: QUEUED becomes PROCESSING. False when the row is not there yet (the
 * workflow writes it beside the dispatch, so a quick agent can be first) or is no longer queued.
 */
export async function markPickedUp(db: Db, id: string): Promise<boolean> {
  const result = await db
    .updateTable('requests')
    .set({ status: 'PROCESSING', started_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'QUEUED')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Whether an agent has taken the request's current attempt (or it already ended). */
export async function requestStarted(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom('requests').select('status').where('id', '=', id).executeTakeFirst();
  return row !== undefined && row.status !== 'QUEUED';
}

export interface RequestOutcome {
  status: Extract<RequestStatus, 'PROCESSED' | 'FAILED' | 'CANCELED'>;
  errorType?: string;
  errorMessage?: string;
  usage?: Record<string, unknown>;
  /** Where a job's answer is stored in the bucket. */
  resultKey?: string;
  /** The answer's text, for the history (chat, completion, transcription). */
  outputText?: string;
}

/**
 * Writes the outcome. An upsert: when the row's first insert never landed, the whole row is
 * written now.
 */
export async function finishRequest(db: Db, r: NewRequest, outcome: RequestOutcome): Promise<void> {
  const final = {
    status: outcome.status,
    error_type: outcome.errorType ?? null,
    error_message: outcome.errorMessage === undefined ? null : withoutNul(outcome.errorMessage),
    usage: outcome.usage ? JSON.stringify(outcome.usage) : null,
    result_key: outcome.resultKey ?? null,
    ...(outcome.outputText !== undefined && { output_text: withoutNul(outcome.outputText) }),
    finished_at: sql<Date>`now()`,
    latency_ms: sql<number>`(extract(epoch from now() - ${new Date(r.startedAt)}::timestamptz) * 1000)::int`,
  };
  await db
    .insertInto('requests')
    .values({ ...row(r), ...final, attempts: r.providerId ? 1 : 0 })
    .onConflict((oc) => oc.column('id').doUpdateSet(final))
    .execute();
}

function row(r: NewRequest) {
  return {
    id: r.requestId,
    member_id: r.memberId,
    kind: r.kind,
    model: r.model,
    service_type: r.serviceType,
    workflow_id: r.workflowId,
    provider_id: r.providerId,
    created_at: new Date(r.startedAt),
    ...(r.runId && { run_id: r.runId, run_step: r.runStep ?? null }),
    ...historyColumns(r.history),
  };
}

/** The history columns of a new row: its visibility and input summary, when decided. */
export function historyColumns(history: RequestHistory | undefined) {
  return history ? { visibility: history.visibility, input: JSON.stringify(history.input) } : {};
}

/** A streamed answer's text, collected by the API that relayed it; false while the row isn't there. */
export async function saveOutputText(db: Db, id: string, text: string): Promise<boolean> {
  const result = await db.updateTable('requests').set({ output_text: text }).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

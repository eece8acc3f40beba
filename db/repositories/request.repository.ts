import type { RequestStatus } from '../../workflows/inference-contract';
import { sql } from 'kysely';
import type { Db } from '../database';

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
}

/** A row to write: the request, and the provider of its latest attempt (null when none was tried). */
export type NewRequest = RequestRecord & { providerId: string | null };

/** Idempotent: a retried activity finds the row already there and only moves it forward. */
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
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function recordAttempt(db: Db, id: string, providerId: string): Promise<void> {
  await db
    .updateTable('requests')
    .set((eb) => ({ provider_id: providerId, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export interface RequestOutcome {
  status: Extract<RequestStatus, 'PROCESSED' | 'FAILED' | 'CANCELED'>;
  errorType?: string;
  errorMessage?: string;
  usage?: Record<string, unknown>;
}

/**
 * Writes the outcome. An upsert: when the row's first insert never landed, the whole row is
 * written now.
 */
export async function finishRequest(db: Db, r: NewRequest, outcome: RequestOutcome): Promise<void> {
  const final = {
    status: outcome.status,
    error_type: outcome.errorType ?? null,
    error_message: outcome.errorMessage ?? null,
    usage: outcome.usage ? JSON.stringify(outcome.usage) : null,
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
  };
}

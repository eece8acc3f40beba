import type { RequestStatus } from '../../workflows/definitions';
import { sql } from 'kysely';
import type { Db } from '../database';

export interface NewRequest {
  id: string;
  memberId: string;
  kind: string;
  model: string;
  serviceType: string;
  workflowId: string;
  providerId: string | null;
}

/** Idempotent: a retried activity finds the row already there and only moves it forward. */
export async function insertRequest(db: Db, r: NewRequest, status: RequestStatus): Promise<void> {
  await db
    .insertInto('requests')
    .values({
      id: r.id,
      member_id: r.memberId,
      kind: r.kind,
      model: r.model,
      service_type: r.serviceType,
      workflow_id: r.workflowId,
      provider_id: r.providerId,
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

export async function finishRequest(db: Db, id: string, outcome: RequestOutcome): Promise<void> {
  await db
    .updateTable('requests')
    .set({
      status: outcome.status,
      error_type: outcome.errorType ?? null,
      error_message: outcome.errorMessage ?? null,
      usage: outcome.usage ? JSON.stringify(outcome.usage) : null,
      finished_at: sql<Date>`now()`,
      latency_ms: sql<number>`(extract(epoch from now() - created_at) * 1000)::int`,
    })
    .where('id', '=', id)
    .execute();
}

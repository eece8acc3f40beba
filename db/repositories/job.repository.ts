import type { RequestHistory } from '../../domain/request-sharing';
import type { Db } from '../database';
import { historyColumns } from './request.repository';
import type { RequestRow } from '../tables/request.table';

/** An async job's row as the API writes it before starting its workflow. */
export interface NewJob {
  id: string;
  memberId: string;
  kind: string;
  model: string;
  serviceType: string;
  workflowId: string;
  endpoint: string;
  idempotencyKey: string | null;
  bodyHash: string;
  webhookUrl: string | null;
  batchId?: string;
  batchIndex?: number;
  customId?: string;
  /** Visibility and input summary for the history. */
  history?: RequestHistory;
  /** The provider it is queued on, when chosen as it is written (a single job); else its workflow chooses. */
  providerId?: string;
}

export const ACTIVE_STATUSES = ['QUEUED', 'PROCESSING'] as const;

/** A new job's row, QUEUED on its provider, or on none yet (its workflow records it when it dispatches). */
export function jobRow(job: NewJob) {
  return {
    id: job.id,
    member_id: job.memberId,
    kind: job.kind,
    model: job.model,
    service_type: job.serviceType,
    workflow_id: job.workflowId,
    provider_id: job.providerId ?? null,
    status: 'QUEUED',
    error_type: null,
    error_message: null,
    attempts: job.providerId ? 1 : 0,
    usage: null,
    finished_at: null,
    latency_ms: null,
    started_at: null,
    async: true,
    endpoint: job.endpoint,
    idempotency_key: job.idempotencyKey,
    body_hash: job.bodyHash,
    webhook_url: job.webhookUrl,
    batch_id: job.batchId ?? null,
    batch_index: job.batchIndex ?? null,
    custom_id: job.customId ?? null,
    result_key: null,
    ...historyColumns(job.history),
  };
}

/**
 * Writes the job's row, QUEUED. Two submissions with one id (an Idempotency-Key sent twice, even
 * at the same instant) are decided by the primary key, atomically: one creates the row, the other
 * gets the row that is there, to compare bodies.
 */
export async function insertJob(db: Db, job: NewJob): Promise<{ row: RequestRow; created: boolean }> {
  const inserted = await db
    .insertInto('requests')
    .values(jobRow(job))
    .onConflict((oc) => oc.column('id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const existing = await db.selectFrom('requests').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
  return { row: existing, created: false };
}

/** The member's job, or undefined for a bad id or anyone else's (they look the same). */
export async function findJob(db: Db, memberId: string, id: string): Promise<RequestRow | undefined> {
  return db
    .selectFrom('requests')
    .selectAll()
    .where('id', '=', id)
    .where('member_id', '=', memberId)
    .where('async', '=', true)
    .executeTakeFirst();
}

export interface JobQuery {
  status?: string;
  active?: boolean;
  batchId?: string;
  limit: number;
  /** A job id: the page starts after it (older ones, newest first). */
  after?: RequestRow;
}

/** The member's jobs, newest first; one more than `limit` tells whether there is another page. */
export async function listJobs(db: Db, memberId: string, q: JobQuery): Promise<RequestRow[]> {
  let query = db
    .selectFrom('requests')
    .selectAll()
    .where('member_id', '=', memberId)
    .where('async', '=', true)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.active) query = query.where('status', 'in', [...ACTIVE_STATUSES]);
  if (q.batchId) query = query.where('batch_id', '=', q.batchId);
  if (q.after) {
    const { created_at: at, id } = q.after;
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]),
    );
  }
  return query.execute();
}

/** The jobs of a batch, in input order. */
export async function batchJobs(db: Db, batchId: string): Promise<RequestRow[]> {
  return db.selectFrom('requests').selectAll().where('batch_id', '=', batchId).orderBy('batch_index').execute();
}

/**
 * For each QUEUED row: how many requests for its model, anyone's, are still waiting before it
 * (queued earlier and not yet taken). What a client polling a job wants to know: how long a wait.
 */
export async function queuePositions(db: Db, rows: RequestRow[]): Promise<Map<string, number>> {
  const queued = rows.filter((r) => r.status === 'QUEUED');
  const positions = new Map<string, number>();
  await Promise.all(
    queued.map(async (r) => {
      const { n } = await db
        .selectFrom('requests')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('model', '=', r.model)
        .where('status', '=', 'QUEUED')
        .where((eb) =>
          eb.or([
            eb('created_at', '<', r.created_at),
            eb.and([eb('created_at', '=', r.created_at), eb('id', '<', r.id)]),
          ]),
        )
        .executeTakeFirstOrThrow();
      positions.set(r.id, Number(n));
    }),
  );
  return positions;
}

/**
 * A FAILED or CANCELED job back to QUEUED for its next run, atomically: two retries at once make
 * one. Undefined when the job is in another state (or not the member's).
 */
export async function resetJobForRetry(db: Db, memberId: string, id: string): Promise<RequestRow | undefined> {
  return db
    .updateTable('requests')
    .set((eb) => ({
      status: 'QUEUED',
      error_type: null,
      error_message: null,
      usage: null,
      result_key: null,
      started_at: null,
      finished_at: null,
      latency_ms: null,
      provider_id: null,
      attempts: 0,
      run: eb('run', '+', 1),
    }))
    .where('id', '=', id)
    .where('member_id', '=', memberId)
    .where('async', '=', true)
    .where('status', 'in', ['FAILED', 'CANCELED'])
    .returningAll()
    .executeTakeFirst();
}

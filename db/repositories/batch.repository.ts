import { sql } from 'kysely';
import type { Db } from '../database';
import type { BatchRow } from '../tables/batch.table';
import { jobRow, type NewJob } from './job.repository';

export interface NewBatch {
  id: string;
  memberId: string;
  endpoint: string | null;
  inputFileId: string | null;
  completionWindow: string | null;
  metadata: Record<string, string> | null;
  idempotencyKey: string | null;
  bodyHash: string;
}

/**
 * Writes a batch and its jobs (QUEUED, in input order) in one transaction, so a batch never
 * exists without its jobs. A second submission with the batch's id (an Idempotency-Key sent
 * twice) writes nothing and gets the batch already there.
 */
export async function insertBatchWithJobs(
  db: Db,
  batch: NewBatch,
  jobs: NewJob[],
): Promise<{ row: BatchRow; created: boolean }> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('batches')
      .values({
        id: batch.id,
        member_id: batch.memberId,
        endpoint: batch.endpoint,
        status: 'validating',
        total: jobs.length,
        input_file_id: batch.inputFileId,
        output_file_id: null,
        error_file_id: null,
        completion_window: batch.completionWindow,
        metadata: batch.metadata ? JSON.stringify(batch.metadata) : null,
        errors: null,
        idempotency_key: batch.idempotencyKey,
        body_hash: batch.bodyHash,
        in_progress_at: null,
        finalizing_at: null,
        completed_at: null,
        failed_at: null,
        cancelling_at: null,
        cancelled_at: null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) {
      return {
        row: await trx.selectFrom('batches').selectAll().where('id', '=', batch.id).executeTakeFirstOrThrow(),
        created: false,
      };
    }
    await trx
      .insertInto('requests')
      .values(jobs.map((job) => jobRow({ ...job, idempotencyKey: null, webhookUrl: null, batchId: batch.id })))
      .execute();
    return { row: inserted, created: true };
  });
}

export async function findBatch(db: Db, memberId: string, id: string): Promise<BatchRow | undefined> {
  return db.selectFrom('batches').selectAll().where('id', '=', id).where('member_id', '=', memberId).executeTakeFirst();
}

export async function listBatches(db: Db, memberId: string, limit: number, after?: BatchRow): Promise<BatchRow[]> {
  let query = db
    .selectFrom('batches')
    .selectAll()
    .where('member_id', '=', memberId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (after) {
    const { created_at: at, id } = after;
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]),
    );
  }
  return query.execute();
}

export interface BatchCounts {
  total: number;
  completed: number;
  failed: number;
}

/** Per batch: its jobs that succeeded, and that failed or were canceled. */
export async function batchCounts(db: Db, batchIds: string[]): Promise<Map<string, BatchCounts>> {
  const counts = new Map<string, BatchCounts>();
  if (batchIds.length === 0) return counts;
  const rows = await db
    .selectFrom('requests')
    .select((eb) => [
      'batch_id',
      eb.fn.countAll<string>().as('total'),
      sql<string>`count(*) filter (where status = 'PROCESSED')`.as('completed'),
      sql<string>`count(*) filter (where status in ('FAILED', 'CANCELED'))`.as('failed'),
    ])
    .where('batch_id', 'in', batchIds)
    .groupBy('batch_id')
    .execute();
  for (const r of rows) {
    counts.set(r.batch_id as string, {
      total: Number(r.total),
      completed: Number(r.completed),
      failed: Number(r.failed),
    });
  }
  return counts;
}

/** The batch's next status, with its timestamp; an ended batch (completed, failed, cancelled) stays ended. */
export async function setBatchStatus(
  db: Db,
  id: string,
  status: 'in_progress' | 'finalizing' | 'completed' | 'cancelling' | 'cancelled' | 'failed',
  files: { outputFileId?: string | null; errorFileId?: string | null } = {},
): Promise<void> {
  const at = {
    in_progress: 'in_progress_at',
    finalizing: 'finalizing_at',
    completed: 'completed_at',
    cancelling: 'cancelling_at',
    cancelled: 'cancelled_at',
    failed: 'failed_at',
  } as const;
  await db
    .updateTable('batches')
    .set({
      status,
      [at[status]]: sql<Date>`coalesce(${sql.ref(at[status])}, now())`,
      ...(files.outputFileId !== undefined && { output_file_id: files.outputFileId }),
      ...(files.errorFileId !== undefined && { error_file_id: files.errorFileId }),
    })
    .where('id', '=', id)
    .where('status', 'not in', ['completed', 'failed', 'cancelled'])
    // A cancel asked for stays asked for: in_progress and finalizing do not overwrite it.
    .where((eb) =>
      status === 'in_progress' || status === 'finalizing' ? eb('status', '!=', 'cancelling') : sql<boolean>`true`,
    )
    .execute();
}

/** Jobs of a batch that never started (the batch was canceled first) end CANCELED. */
export async function cancelQueuedJobs(db: Db, batchId: string): Promise<void> {
  await db
    .updateTable('requests')
    .set({
      status: 'CANCELED',
      error_type: 'canceled',
      error_message: 'the batch was canceled before this request ran',
      finished_at: sql<Date>`now()`,
    })
    .where('batch_id', '=', batchId)
    .where('status', '=', 'QUEUED')
    .where('finished_at', 'is', null)
    .execute();
}

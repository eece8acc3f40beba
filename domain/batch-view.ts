import type { Db } from '../db/database';
import { batchCounts, type BatchCounts } from '../db/repositories/batch.repository';
import type { BatchRow } from '../db/tables/batch.table';

/** OpenAI's batch object, plus `jobs`: each item's custom_id, job id and status. */
export interface BatchObject {
  id: string;
  object: 'batch';
  endpoint: string | null;
  errors: unknown;
  input_file_id: string | null;
  completion_window: string;
  status: string;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number | null;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: BatchCounts;
  metadata: Record<string, string> | null;
  jobs?: { custom_id: string | null; id: string; status: string }[];
}

const seconds = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : null);

/** Batch objects; with `withJobs`, each lists its jobs in input order. */
export async function batchViews(db: Db, rows: BatchRow[], withJobs = false): Promise<BatchObject[]> {
  const ids = rows.map((r) => r.id);
  const [counts, jobs] = await Promise.all([
    batchCounts(db, ids),
    withJobs && ids.length > 0
      ? db
          .selectFrom('requests')
          .select(['id', 'custom_id', 'status', 'batch_id'])
          .where('batch_id', 'in', ids)
          .orderBy('batch_index')
          .execute()
      : Promise.resolve([]),
  ]);
  return rows.map((row) => ({
    id: row.id,
    object: 'batch',
    endpoint: row.endpoint,
    errors: row.errors,
    input_file_id: row.input_file_id,
    completion_window: row.completion_window ?? '24h',
    status: row.status,
    output_file_id: row.output_file_id,
    error_file_id: row.error_file_id,
    created_at: seconds(row.created_at) as number,
    in_progress_at: seconds(row.in_progress_at),
    expires_at: null,
    finalizing_at: seconds(row.finalizing_at),
    completed_at: seconds(row.completed_at),
    failed_at: seconds(row.failed_at),
    expired_at: null,
    cancelling_at: seconds(row.cancelling_at),
    cancelled_at: seconds(row.cancelled_at),
    request_counts: counts.get(row.id) ?? { total: row.total, completed: 0, failed: 0 },
    metadata: row.metadata,
    ...(withJobs && {
      jobs: jobs
        .filter((j) => j.batch_id === row.id)
        .map((j) => ({ custom_id: j.custom_id, id: j.id, status: j.status })),
    }),
  }));
}

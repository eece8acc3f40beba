import { Context } from '@temporalio/activity';
import type { Storage } from '../clients/storage';
import type { Db } from '../db/database';
import { cancelQueuedJobs, setBatchStatus } from '../db/repositories/batch.repository';
import { createFile, fileIdFor } from '../db/repositories/file.repository';
import { batchJobs } from '../db/repositories/job.repository';
import type { Config } from '../config/config';
import { jobViews } from '../domain/job-view';

/** Heartbeats while `work` runs, so the server notices a dead worker within the heartbeat timeout. */
async function heartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), 2000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** What the batch workflow records: its status, the jobs it never started, its output files. */
export function createBatchActivities(deps: { db: Db; storage: Storage; config: Pick<Config, 'api'> }) {
  const { db, storage } = deps;
  return {
    async markBatch(input: { batchId: string; status: 'in_progress' }): Promise<void> {
      await setBatchStatus(db, input.batchId, input.status);
    },

    async cancelQueuedBatchJobs(input: { batchId: string }): Promise<void> {
      await cancelQueuedJobs(db, input.batchId);
    },

    /**
     * Writes OpenAI's output file (one line per succeeded request) and error file (one per failed
     * or canceled one), in input order, and ends the batch. Idempotent: the files' ids are derived
     * from the batch, so a retried activity finds them written.
     */
    finalizeBatch(input: { batchId: string; memberId: string; canceled: boolean }): Promise<void> {
      return heartbeating(() => writeBatchFiles(input));
    },
  };

  async function writeBatchFiles(input: { batchId: string; memberId: string; canceled: boolean }): Promise<void> {
    const { batchId, memberId } = input;
    await setBatchStatus(db, batchId, 'finalizing');
    const rows = await batchJobs(db, batchId);
    const views = await jobViews(deps, rows);
    const outputs: string[] = [];
    const errors: string[] = [];
    for (const [i, row] of rows.entries()) {
      const line = { id: `batch_req_${row.id}`, custom_id: row.custom_id };
      if (row.status === 'PROCESSED') {
        // JSON answers as the provider gave them (images with their links, read once by the
        // view); byte outputs as a link.
        const view = views[i];
        const body = view.result ?? { url: view.result_url };
        outputs.push(
          JSON.stringify({ ...line, response: { status_code: 200, request_id: row.id, body }, error: null }),
        );
      } else {
        errors.push(
          JSON.stringify({
            ...line,
            response: null,
            error: { code: row.error_type ?? 'canceled', message: row.error_message ?? row.status.toLowerCase() },
          }),
        );
      }
    }
    const write = async (kind: 'output' | 'errors', lines: string[]) =>
      lines.length === 0
        ? null
        : (
            await createFile({
              db,
              storage,
              memberId,
              id: fileIdFor(`${batchId}:${kind}`),
              filename: `${batchId}_${kind}.jsonl`,
              purpose: 'batch_output',
              bytes: Buffer.from(`${lines.join('\n')}\n`),
            })
          ).id;
    const [outputFileId, errorFileId] = await Promise.all([write('output', outputs), write('errors', errors)]);
    await setBatchStatus(db, batchId, input.canceled ? 'cancelled' : 'completed', { outputFileId, errorFileId });
  }
}

import {
  CancellationScope,
  executeChild,
  isCancellation,
  proxyActivities,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/create-activities';
import type { BatchInput, BatchResult } from './batch-contract';
import type { InferenceInput } from './inference-contract';
import { inferenceStartOptions } from './inference-start';
import type { inferenceWorkflow } from './inference.workflow';

type Platform = ReturnType<typeof createActivities>;
const retry: RetryPolicy = { initialInterval: '500ms', maximumInterval: '10s' };
// One-statement updates of the batch's row: a worker that dies holding one (they run eagerly on the
// worker that scheduled them) is given up on after 10 s, not after a long time limit.
const records = proxyActivities<Platform>({ startToCloseTimeout: '10s', retry });
// The output and error files of up to 256 jobs may take a while; the activity heartbeats, so a dead
// worker is noticed within the heartbeat timeout.
const finalizing = proxyActivities<Platform>({ startToCloseTimeout: '2m', heartbeatTimeout: '10s', retry });

/**
 * A batch: its jobs run as child workflows `job-<id>` (the inference workflow a single async job
 * runs), at most `concurrency` at once, so each appears under the batch in the Temporal UI with its
 * own history. A child returns references only (the answer is stored), so 256 of them keep this
 * history small. A failed job does not stop the others. Canceling the batch cancels the jobs still
 * running (their agents stop) and the ones not started; finished ones keep their results. At the
 * end the output and error files are written, in input order.
 */
export async function batchWorkflow(input: BatchInput): Promise<BatchResult> {
  const { batchId, memberId } = input;
  await records.markBatch({ batchId, status: 'in_progress' });
  let canceled = false;
  try {
    await runAll(input);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    canceled = true;
  }
  await CancellationScope.nonCancellable(async () => {
    if (canceled) await records.cancelQueuedBatchJobs({ batchId });
    await finalizing.finalizeBatch({ batchId, memberId, canceled });
  });
  return { batchId, total: input.items.length };
}

async function runAll(input: BatchInput): Promise<void> {
  const running = new Set<Promise<void>>();
  try {
    for (const item of input.items) {
      while (running.size >= input.concurrency) await Promise.race(running);
      const job: Promise<void> = runJob(item, input.memberName).finally(() => running.delete(job));
      running.add(job);
    }
    await Promise.all(running);
  } finally {
    // Canceled: the jobs still running are being canceled too; their rows are final only once they end.
    await Promise.allSettled([...running]);
  }
}

/** One job, to its end; its failure is its own (recorded on its row), not the batch's. */
async function runJob(item: InferenceInput, memberName: string): Promise<void> {
  try {
    await executeChild<typeof inferenceWorkflow>('inferenceWorkflow', {
      args: [item],
      ...inferenceStartOptions({
        kind: item.kind,
        requestId: item.requestId,
        model: item.model,
        memberName,
        job: true,
      }),
    });
  } catch (err) {
    if (isCancellation(err) && CancellationScope.current().consideredCancelled) throw err;
  }
}

import type { InferenceInput } from './inference-contract';

/** What the batch workflow runs: its jobs, each the input of one inference workflow `job-<id>`. */
export interface BatchInput {
  batchId: string;
  memberId: string;
  /** For the children's search attributes and memo. */
  memberName: string;
  items: InferenceInput[];
  /** How many of its jobs run at once, so one member's batch cannot take every provider. */
  concurrency: number;
}

export interface BatchResult {
  batchId: string;
  total: number;
}

export function batchWorkflowId(batchId: string): string {
  return `batch-${batchId}`;
}

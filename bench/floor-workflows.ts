/**
 * Workflows of bench/temporal-floor.ts: the least a child-per-item orchestration asks of Temporal.
 * An item is a workflow with one activity that does nothing; a fan-out runs items as children, a
 * bounded number at once, the way a batch runs its jobs and a map runs its steps. No database row,
 * no provider, no HTTP: what these cost is the floor under the platform's batch and map figures.
 */
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';

const { touch } = proxyActivities<{ touch(index: number): Promise<number> }>({ startToCloseTimeout: '30s' });

/** No activity at all: a start, one workflow task, the completion. */
export async function floorEmpty(index: number): Promise<number> {
  return index;
}

export async function floorItem(index: number): Promise<number> {
  return touch(index);
}

export async function floorFanOut(items: number, concurrency: number): Promise<number[]> {
  const out = new Array<number>(items);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items) {
      const index = next++;
      out[index] = await executeChild(floorItem, {
        args: [index],
        workflowId: `${workflowInfo().workflowId}-${index}`,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items) }, lane));
  return out;
}

import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { TemporalClients } from '../../clients/temporal';
import { downDependency, unavailableBecause } from './dependency-errors';

/**
 * How long a call may take before Temporal counts as down. Starts answer in milliseconds; the
 * native client's own retries against a dead server take about ten seconds and ignore deadlines.
 */
const CALL_DEADLINE_MS = 2500;

export interface GuardOptions<T> {
  /** false for long-polls, which bound themselves. */
  deadline?: boolean;
  /** What to do with a result that arrives after the caller was answered 503 (cancel the workflow). */
  onLate?: (result: T) => void;
}

/**
 * A call to Temporal that fails fast while Temporal is known to be down (a prompt 503), gives up
 * after a short deadline instead of the client's long retries, and marks Temporal down when it
 * finds it unreachable, so the calls after it do not wait either.
 */
export async function guardedTemporal<T>(
  temporal: TemporalClients,
  call: () => Promise<T>,
  options: GuardOptions<T> = {},
): Promise<T> {
  if (temporal.health.isDown) throw unavailableBecause('workflow service');
  const pending = call();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    if (options.deadline !== false) timer = setTimeout(() => resolve('expired'), CALL_DEADLINE_MS);
  });
  try {
    const first = await Promise.race([pending, expired]);
    if (first === 'expired') {
      pending.then(
        (late) => options.onLate?.(late),
        () => undefined,
      );
      temporal.health.markDown(`no answer within ${CALL_DEADLINE_MS} ms`);
      throw unavailableBecause('workflow service');
    }
    return first;
  } catch (err) {
    if (downDependency(err) === 'workflow service') {
      temporal.health.markDown(err instanceof Error ? err.message : String(err));
      throw unavailableBecause('workflow service');
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A guarded workflow start whose id may already be taken by the same work (a resubmission, a
 * retry racing another): that one is left to run, any other failure thrown.
 */
export async function startUnlessStarted(temporal: TemporalClients, start: () => Promise<unknown>): Promise<void> {
  try {
    await guardedTemporal(temporal, start);
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

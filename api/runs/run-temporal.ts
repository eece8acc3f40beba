import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { RunRow } from '../../db/tables/run.table';
import { storedState } from '../../domain/run-view';
import { ErrorType } from '../../workflows/errors';
import {
  decideGateUpdate,
  runStateQuery,
  runWorkflowId,
  type GateDecision,
  type RunInput,
  type RunState,
} from '../../workflows/runs/run-contract';
import { runStartOptions } from '../../workflows/runs/run-start';
import type { runWorkflow } from '../../workflows/runs/run.workflow';
import type { ApiDeps } from '../deps';
import { ApiError, unavailable } from '../http/api-error';
import { downDependency, unavailableBecause } from '../http/dependency-errors';
import { startUnlessStarted } from '../http/temporal-guard';

/**
 * Starts a run's workflow (a retry starts it again under its id, which Temporal allows only after
 * a failed run); one already running is left alone.
 */
export async function startRunWorkflow(deps: ApiDeps, input: RunInput): Promise<void> {
  await startUnlessStarted(deps.temporal, () =>
    deps.temporal.client.workflow.start<typeof runWorkflow>('runWorkflow', {
      taskQueue: deps.config.temporal.orchestrationQueue,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      args: [input],
      ...runStartOptions({
        runId: input.runId,
        memberName: input.memberName,
        template: input.template,
        steps: input.spec.steps.length,
      }),
    }),
  );
}

/**
 * Where a run stands: its final state from its row once it ended (no call to Temporal, and still
 * there after Temporal's retention), else the live state from its workflow's query.
 */
export async function runState(deps: ApiDeps, row: RunRow): Promise<RunState> {
  if (row.finished_at && row.state) return storedState(row);
  try {
    return await askRun(deps, () =>
      deps.temporal.client.workflow.getHandle(runWorkflowId(row.id)).query(runStateQuery),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return storedState(row);
    throw err;
  }
}

/**
 * A gate decision, as a Temporal Update: the workflow's validator refuses a gate that is not
 * waiting (or a decider it does not allow) atomically, and the refusal comes back as a 409.
 */
export async function decideGate(deps: ApiDeps, row: RunRow, decision: GateDecision): Promise<void> {
  try {
    await askRun(deps, () =>
      deps.temporal.client.workflow
        .getHandle(runWorkflowId(row.id))
        .executeUpdate(decideGateUpdate, { args: [decision] }),
    );
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const reason = err.cause instanceof Error ? err.cause.message : `Gate '${decision.stepId}' is not waiting.`;
      throw new ApiError(ErrorType.InvalidState, reason, { code: 'gate_not_waiting' });
    }
    if (err instanceof WorkflowNotFoundError || /already completed/i.test(String((err as Error).message))) {
      throw new ApiError(ErrorType.InvalidState, `Run ${row.id} has ended; its gates take no decisions.`, {
        code: 'run_ended',
      });
    }
    throw err;
  }
}

/** How long a query or an update may wait for the worker that runs the run's workflow. */
const WORKER_ANSWER_MS = 10_000;

/**
 * A query or an update: answered by the worker running the run, not by Temporal alone. One that
 * gets no answer in time (no worker polling: it is restarting) is a 503 to retry, without counting
 * Temporal as down, which its health probe decides; a refused connection does count.
 */
async function askRun<T>(deps: ApiDeps, call: () => Promise<T>): Promise<T> {
  if (deps.temporal.health.isDown) throw unavailableBecause('workflow service');
  const noWorker = () => unavailable('No worker answered for this run in time (it may be restarting); retry shortly.');
  const pending = call();
  pending.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), WORKER_ANSWER_MS);
  });
  try {
    const first = await Promise.race([pending, expired]);
    if (first === 'expired') throw noWorker();
    return first;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if ((err as { code?: unknown }).code === GRPC_DEADLINE_EXCEEDED) throw noWorker();
    if (downDependency(err) === 'workflow service') {
      deps.temporal.health.markDown(err instanceof Error ? err.message : String(err));
      throw unavailableBecause('workflow service');
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

const GRPC_DEADLINE_EXCEEDED = 4;

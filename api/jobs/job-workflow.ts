import { defaultPayloadConverter } from '@temporalio/common';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { ErrorType } from '../../workflows/errors';
import { guardedTemporal } from '../http/temporal-guard';

/** How long a cancel waits for the job's workflow to record its end before answering. */
const CLOSE_WAIT_MS = 10_000;

/** Waits (bounded) for a workflow to close, whatever its outcome. */
export async function waitForClose(deps: ApiDeps, workflowId: string): Promise<void> {
  const handle = deps.temporal.waits.workflow.getHandle(workflowId);
  await deps.temporal.connection
    .withAbortSignal(AbortSignal.timeout(CLOSE_WAIT_MS), () => handle.result())
    .catch(() => undefined);
}

/**
 * The input a workflow's last run started with, from its history: a retry (of a job, of a run)
 * starts from it again, with nothing kept on the side.
 */
export async function startInput<T>(deps: ApiDeps, workflowId: string): Promise<T> {
  const history = await guardedTemporal(
    deps.temporal,
    () => deps.temporal.client.workflow.getHandle(workflowId).fetchHistory(),
    { deadline: false },
  );
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new ApiError(ErrorType.Internal, 'The original input could not be found.');
  return defaultPayloadConverter.fromPayload<T>(payload);
}

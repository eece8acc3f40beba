import { randomUUID } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { inferenceWorkflow } from '../../workflows/inference.workflow';
import { finishRequest, insertRequest } from '../../db/repositories/request.repository';
import { ErrorType } from '../../workflows/errors';
import { REQUEST_KINDS, type InferenceInput, type InferenceOutput } from '../../workflows/inference-contract';
import { inferenceStartOptions } from '../../workflows/inference-start';
import type { ApiDeps } from '../deps';
import { guardedTemporal } from '../http/temporal-guard';
import { readDispatchPlan } from './dispatch-plan';

export function newRequestId(): string {
  return randomUUID().replace(/-/g, '');
}

export interface StartedInference {
  requestId: string;
  handle: WorkflowHandleWithFirstExecutionRunId<typeof inferenceWorkflow>;
}

/**
 * Starts the inference workflow with ids, search attributes and a memo an operator can search by.
 * The registry is read here, so the workflow's first task dispatches without a read of its own;
 * when no provider fits, the workflow reads it again and records the refusal.
 */
export async function startInference(
  { temporal, config, db, logger }: Pick<ApiDeps, 'temporal' | 'config' | 'db' | 'logger'>,
  input: Omit<InferenceInput, 'plan' | 'recorded'> & { memberName: string; writeRow?: boolean },
): Promise<StartedInference> {
  const { memberName, writeRow, ...rest } = input;
  const serviceType = REQUEST_KINDS[input.kind].serviceType;
  const read = await readDispatchPlan(
    { db, config },
    {
      memberId: input.memberId,
      model: input.model,
      serviceType,
      requiredFeatures: input.requiredFeatures ?? [],
    },
  );
  // With no provider, the workflow reads the registry again and records the refusal.
  const plan = 'plan' in read ? read.plan : undefined;
  const options = inferenceStartOptions({
    kind: input.kind,
    requestId: input.requestId,
    model: input.model,
    memberName,
    streaming: input.stream !== null,
  });
  // The first row, QUEUED on the first provider, written here beside the start instead of by an
  // activity of the workflow: one activity and one workflow task fewer per call.
  const recorded = writeRow === true && plan !== undefined;
  const record = {
    requestId: input.requestId,
    memberId: input.memberId,
    kind: input.kind,
    model: input.model,
    serviceType,
    workflowId: options.workflowId,
    startedAt: new Date().toISOString(),
    ...(input.history && { history: input.history }),
    providerId: plan?.providerIds[0] ?? null,
  };
  const row = recorded
    ? insertRequest(db, record, 'QUEUED').catch((err: unknown) =>
        // The workflow's final write still records the request (an upsert); only the routing
        // count misses it meanwhile.
        logger.warn('first request row not written', { requestId: input.requestId, err: String(err) }),
      )
    : undefined;
  const args: InferenceInput = { ...rest, ...(plan && { plan }), ...(recorded && { recorded: true }) };
  const started = guardedTemporal(
    temporal,
    () =>
      temporal.client.workflow.start<typeof inferenceWorkflow>('inferenceWorkflow', {
        taskQueue: config.temporal.taskQueue,
        // With the API's own worker on this connection, the first workflow task comes back with the
        // start answer instead of a trip through the task queue (ignored without one).
        requestEagerStart: config.api.inferenceWorker,
        args: [args],
        ...options,
      }),
    // Started after the client was told 503: nobody waits for it.
    { onLate: (late) => void late.cancel().catch(() => undefined) },
  );
  const [handle] = await Promise.all([
    started.catch(async (err: unknown) => {
      // No workflow will end this request: its row must not stay QUEUED (counted as load) for good.
      if (row) {
        await row;
        await finishRequest(db, record, {
          status: 'FAILED',
          errorType: ErrorType.Unavailable,
          errorMessage: 'The request could not be started.',
        }).catch(() => undefined);
      }
      throw err;
    }),
    row,
  ]);
  return { requestId: input.requestId, handle };
}

/**
 * The workflow's result, waited on over the abortable connection: `signal` (the client left, or
 * the answer came another way) ends the long-poll instead of leaving it to the server.
 */
export function workflowResult(
  temporal: ApiDeps['temporal'],
  handle: StartedInference['handle'],
  signal: AbortSignal,
): Promise<InferenceOutput> {
  const waiting = temporal.waits.workflow.getHandle<typeof inferenceWorkflow>(
    handle.workflowId,
    handle.firstExecutionRunId,
  );
  return temporal.connection.withAbortSignal(signal, () => waiting.result());
}

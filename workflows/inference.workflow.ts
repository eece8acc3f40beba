import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/create-activities';
import type { RequestOutcome } from '../db/repositories/request.repository';
import { providerTaskQueue, type ProviderActivities } from './agent-protocol';
import { REQUEST_KINDS, type InferenceInput, type InferenceOutput } from './inference-contract';
import { ErrorType, isErrorType } from './errors';
import { classifyProviderFailure, toApplicationFailure } from './failures';

// Registry reads and presigning are local activities: no extra round trip through the server on
// the latency path of a synchronous call. A platform step that still fails after these retries
// ends the request with 503 (the platform, not the provider, failed).
const platform = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', maximumInterval: '2s', maximumAttempts: 5 },
});
// The request's outcome must be written whatever happens, so it retries until the database is back.
const outcomes = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', maximumInterval: '10s' },
});
// The request's first row is a regular activity, scheduled in the same workflow task as the
// provider task: a local one would hold that task (and the dispatch) until the write is done.
// The server hands it straight back to this worker (eager activity execution).
const records = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', maximumInterval: '10s' },
});

/**
 * One inference request: pick a provider, hand the task to its agent, fail over on silence.
 * Every way it ends (answered, failed, refused, canceled) writes the request's final row.
 */
export async function inferenceWorkflow(input: InferenceInput): Promise<InferenceOutput> {
  const info = workflowInfo();
  const request = {
    requestId: input.requestId,
    memberId: input.memberId,
    kind: input.kind,
    model: input.model,
    serviceType: REQUEST_KINDS[input.kind].serviceType,
    workflowId: info.workflowId,
    startedAt: info.runStartTime.toISOString(),
  };
  const tried: string[] = [];
  const finish = (outcome: RequestOutcome) =>
    outcomes.finishRequest({ request, providerId: tried.at(-1) ?? null, outcome });
  try {
    const output = await dispatch(input, request, tried);
    await finish({ status: 'PROCESSED', usage: output.usage });
    return output;
  } catch (err) {
    const failure = isCancellation(err) ? undefined : typedFailure(err);
    await CancellationScope.nonCancellable(() =>
      finish(
        failure
          ? { status: 'FAILED', errorType: failure.type ?? undefined, errorMessage: failure.message }
          : { status: 'CANCELED', errorType: ErrorType.Canceled, errorMessage: 'canceled' },
      ),
    );
    throw failure ?? err;
  }
}

type RequestInfo = Parameters<ReturnType<typeof createActivities>['resolveProviders']>[0];

/** The attempts, provider after provider; returns the answer or throws why there is none. */
async function dispatch(
  input: InferenceInput,
  request: Omit<RequestInfo, 'exclude' | 'requiredFeatures'>,
  tried: string[],
): Promise<InferenceOutput> {
  const { endpoint, serviceType } = REQUEST_KINDS[input.kind];
  const resolve = () =>
    platformStep(() =>
      platform.resolveProviders({ ...request, exclude: [...tried], requiredFeatures: input.requiredFeatures ?? [] }),
    );
  const files = input.files ?? [];
  const media = files.length > 0 || input.outputs !== undefined;

  // Candidates are re-read after every failure: a provider that came online meanwhile counts.
  let lastError = 'no provider answered';
  let recorded: Promise<void> | undefined;
  for (let plan = input.plan ?? (await resolve()); plan.providerIds.length > 0; plan = await resolve()) {
    const providerId = plan.providerIds[0];
    tried.push(providerId);
    if (!recorded) {
      recorded = records.recordRequest({ ...request, providerId });
      // Awaited where the row must exist (assets, the next attempt); the outcome is an upsert.
      recorded.catch(() => undefined);
    }
    const provider = proxyActivities<ProviderActivities>({
      taskQueue: providerTaskQueue(providerId),
      scheduleToStartTimeout: plan.dispatch.pickupTimeoutMs,
      startToCloseTimeout: plan.dispatch.taskTimeoutMs,
      heartbeatTimeout: plan.dispatch.heartbeatTimeoutMs,
      retry: { maximumAttempts: 1 },
    });
    // Presigned URLs are minted per attempt, so a failover never inherits expired ones.
    const prepared = media
      ? await platformStep(() =>
          platform.prepareTask({ requestId: input.requestId, files, outputs: input.outputs ?? null }),
        )
      : undefined;
    let result;
    try {
      result = await provider.runProviderTask({
        requestId: input.requestId,
        serviceType,
        endpoint,
        ...(input.bodyRef ? { bodyRef: input.bodyRef } : { body: input.body ?? {} }),
        stream: input.stream,
        ...(input.reply && { reply: input.reply }),
        ...(prepared && { files: prepared.files, outputs: prepared.outputs, encoding: input.encoding }),
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      const failure = classifyProviderFailure(err);
      // Once a stream may have reached the client, another provider would only repeat it.
      if (!failure.failover || (input.stream && !failure.neverStarted)) throw toApplicationFailure(failure);
      lastError = failure.message;
      // The next attempt updates the row: it must be there.
      await recorded;
      continue;
    }
    // Assets reference the request's row.
    if (media) await recorded;
    const collected = media
      ? await platformStep(() =>
          platform.collectOutputs({
            requestId: input.requestId,
            memberId: input.memberId,
            kind: input.kind,
            files,
            uploaded: result.outputs ?? [],
          }),
        )
      : undefined;
    return {
      requestId: input.requestId,
      providerId,
      status: result.status,
      ...(result.bodyRef ? { bodyRef: result.bodyRef } : { body: result.body }),
      usage: collected ? { ...result.usage, ...collected.usage } : result.usage,
      assets: collected?.assets,
    };
  }
  throw toApplicationFailure({
    type: ErrorType.UpstreamError,
    message: `No provider serving model '${input.model}' answered: ${lastError}`,
  });
}

/**
 * A platform activity (registry, storage, database) that failed even after its retries: the
 * refusals it raises on purpose keep their type, anything else is the platform being unavailable.
 */
async function platformStep<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (cause instanceof ApplicationFailure && isErrorType(cause.type)) throw cause;
    throw toApplicationFailure({
      type: ErrorType.Unavailable,
      message: 'The platform could not reach its storage or database; retry shortly.',
    });
  }
}

/** The typed failure a request ends with; anything untyped is the platform's own fault. */
function typedFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure && isErrorType(err.type)) return err;
  return toApplicationFailure({ type: ErrorType.Internal, message: 'The request failed inside the platform.' });
}

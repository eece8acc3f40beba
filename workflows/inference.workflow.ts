import {
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/create-activities';
import type { RequestOutcome } from '../db/repositories/request.repository';
import {
  REQUEST_KINDS,
  providerTaskQueue,
  type InferenceInput,
  type InferenceOutput,
  type ProviderActivities,
} from './definitions';
import { ErrorType } from './errors';
import { classifyProviderFailure, toApplicationFailure } from './failures';

// Registry reads, presigning and the request's outcome are local activities: no extra round trip
// through the server on the latency path of a synchronous call.
const platform = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', maximumAttempts: 5 },
});
// The request's first row is a regular activity, scheduled in the same workflow task as the
// provider task: a local one would hold that task (and the dispatch) until the write is done.
// The server hands it straight back to this worker (eager activity execution).
const records = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', maximumInterval: '5s' },
});

const ROW_ACTIVITY_PATCH = 'request-row-activity';

/** One inference request: pick a provider, hand the task to its agent, fail over on silence. */
export async function inferenceWorkflow(input: InferenceInput): Promise<InferenceOutput> {
  const { serviceType, endpoint } = REQUEST_KINDS[input.kind];
  const tried: string[] = [];
  const info = workflowInfo();
  const request = {
    requestId: input.requestId,
    memberId: input.memberId,
    kind: input.kind,
    model: input.model,
    serviceType,
    workflowId: info.workflowId,
    startedAt: info.runStartTime.toISOString(),
  };
  const resolve = () =>
    platform.resolveProviders({ ...request, exclude: [...tried], requiredFeatures: input.requiredFeatures ?? [] });
  const finish = (outcome: RequestOutcome) =>
    platform.finishRequest({ request, providerId: tried.at(-1) ?? null, outcome });
  const files = input.files ?? [];
  const media = files.length > 0 || input.outputs !== undefined;

  // Candidates are re-read after every failure: a provider that came online meanwhile counts.
  let lastError = 'no provider answered';
  let recorded: Promise<void> | undefined;
  for (let plan = input.plan ?? (await resolve()); plan.providerIds.length > 0; plan = await resolve()) {
    const providerId = plan.providerIds[0];
    tried.push(providerId);
    // Histories from before this activity existed recorded the row in resolveProviders. Inputs
    // that say so skip the patch check: its marker and search-attribute upsert cost every request.
    if (!recorded && (input.rowActivity ?? patched(ROW_ACTIVITY_PATCH))) {
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
    try {
      // Presigned URLs are minted per attempt, so a failover never inherits expired ones.
      const prepared = media
        ? await platform.prepareTask({ requestId: input.requestId, files, outputs: input.outputs ?? null })
        : undefined;
      const result = await provider.runProviderTask({
        requestId: input.requestId,
        serviceType,
        endpoint,
        body: input.body,
        stream: input.stream,
        ...(input.reply && { reply: input.reply }),
        ...(prepared && { files: prepared.files, outputs: prepared.outputs, encoding: input.encoding }),
      });
      // Assets reference the request's row.
      if (media) await recorded;
      const collected = media
        ? await platform.collectOutputs({
            requestId: input.requestId,
            memberId: input.memberId,
            kind: input.kind,
            files,
            uploaded: result.outputs ?? [],
          })
        : undefined;
      const usage = collected ? { ...result.usage, ...collected.usage } : result.usage;
      await finish({ status: 'PROCESSED', usage });
      return {
        requestId: input.requestId,
        providerId,
        status: result.status,
        body: result.body,
        usage,
        assets: collected?.assets,
      };
    } catch (err) {
      if (isCancellation(err)) {
        await CancellationScope.nonCancellable(() =>
          finish({ status: 'CANCELED', errorType: ErrorType.Canceled, errorMessage: 'canceled by the client' }),
        );
        throw err;
      }
      const failure = classifyProviderFailure(err);
      // Once a stream may have reached the client, another provider would only repeat it.
      if (!failure.failover || (input.stream && !failure.neverStarted)) {
        await finish({ status: 'FAILED', errorType: failure.type, errorMessage: failure.message });
        throw toApplicationFailure(failure);
      }
      lastError = failure.message;
      // The next attempt updates the row: it must be there.
      await recorded;
    }
  }
  const message = `No provider serving model '${input.model}' answered: ${lastError}`;
  await finish({ status: 'FAILED', errorType: ErrorType.UpstreamError, errorMessage: message });
  throw toApplicationFailure({ type: ErrorType.UpstreamError, message });
}

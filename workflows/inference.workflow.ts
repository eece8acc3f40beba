import {
  CancellationScope,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/create-activities';
import {
  REQUEST_KINDS,
  providerTaskQueue,
  type InferenceInput,
  type InferenceOutput,
  type ProviderActivities,
} from './definitions';
import { ErrorType } from './errors';
import { classifyProviderFailure, toApplicationFailure } from './failures';

// Registry reads and request records are local activities: no extra round trip through the
// server on the latency path of a synchronous call.
const platform = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', maximumAttempts: 5 },
});

/** One inference request: pick a provider, hand the task to its agent, fail over on silence. */
export async function inferenceWorkflow(input: InferenceInput): Promise<InferenceOutput> {
  const { serviceType, endpoint } = REQUEST_KINDS[input.kind];
  const tried: string[] = [];
  const resolve = () =>
    platform.resolveProviders({
      requestId: input.requestId,
      exclude: [...tried],
      memberId: input.memberId,
      kind: input.kind,
      model: input.model,
      serviceType,
      workflowId: workflowInfo().workflowId,
      requiredFeatures: input.requiredFeatures ?? [],
    });
  const files = input.files ?? [];
  const media = files.length > 0 || input.outputs !== undefined;

  // Candidates are re-read after every failure: a provider that came online meanwhile counts.
  let lastError = 'no provider answered';
  for (let plan = await resolve(); plan.providerIds.length > 0; plan = await resolve()) {
    const providerId = plan.providerIds[0];
    tried.push(providerId);
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
      await platform.finishRequest({ requestId: input.requestId, outcome: { status: 'PROCESSED', usage } });
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
          platform.finishRequest({
            requestId: input.requestId,
            outcome: { status: 'CANCELED', errorType: ErrorType.Canceled, errorMessage: 'canceled by the client' },
          }),
        );
        throw err;
      }
      const failure = classifyProviderFailure(err);
      // Once a stream may have reached the client, another provider would only repeat it.
      if (!failure.failover || (input.stream && !failure.neverStarted)) {
        await platform.finishRequest({
          requestId: input.requestId,
          outcome: { status: 'FAILED', errorType: failure.type, errorMessage: failure.message },
        });
        throw toApplicationFailure(failure);
      }
      lastError = failure.message;
    }
  }
  const message = `No provider serving model '${input.model}' answered: ${lastError}`;
  await platform.finishRequest({
    requestId: input.requestId,
    outcome: { status: 'FAILED', errorType: ErrorType.UpstreamError, errorMessage: message },
  });
  throw toApplicationFailure({ type: ErrorType.UpstreamError, message });
}

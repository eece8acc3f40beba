import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  log,
  proxyLocalActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/create-activities';
import type { RequestOutcome, RequestRecord } from '../db/repositories/request.repository';
import { providerTaskQueue, type ProviderActivities, type ProviderTaskResult } from './agent-protocol';
import { REQUEST_KINDS, type InferenceInput, type InferenceOutput } from './inference-contract';
import { ErrorType, isErrorType, WebhookRefusedType } from './errors';
import { classifyProviderFailure, toApplicationFailure } from './failures';
import { answerText } from './answer-text';

type Platform = ReturnType<typeof createActivities>;

// Registry reads and presigning are local activities: no extra round trip through the server on
// the latency path of a synchronous call. A platform step that still fails after these retries
// ends the request with 503 (the platform, not the provider, failed).
const platform = proxyLocalActivities<Platform>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', maximumInterval: '2s', maximumAttempts: 5 },
});
// The request's outcome must be written whatever happens, so it retries until the database is back.
const outcomes = proxyLocalActivities<Platform>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', maximumInterval: '10s' },
});
// A job's webhook: at least once, with backoff, for up to a day; never changes the job's outcome.
const webhooks = proxyActivities<Platform>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '24h',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '5m',
    nonRetryableErrorTypes: [WebhookRefusedType],
  },
});
// The request's first row is a regular activity, scheduled in the same workflow task as the
// provider task: a local one would hold that task (and the dispatch) until the write is done.
// The server hands it straight back to this worker (eager activity execution).
const records = proxyActivities<Platform>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', maximumInterval: '10s' },
});

/** A waiting task is looked at after pickupTimeoutMs, then less and less often, up to this. */
const MAX_CHECK_MS = 30_000;

/**
 * One inference request: pick a provider, hand the task to its agent, fail over when the agent is
 * gone, wait (in order of arrival) while it is only busy. Every way it ends (answered, failed,
 * refused, canceled) writes the request's final row.
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
    ...(input.parent && { runId: input.parent.runId, runStep: input.parent.stepId }),
  };
  // What the history row starts with; only the row's writes carry it.
  const record = { ...request, ...(input.history && { history: input.history }) };
  const tried: string[] = [];
  const finish = async (outcome: RequestOutcome) => {
    await outcomes.finishRequest({ request: record, providerId: tried.at(-1) ?? null, outcome });
    if (input.webhook) await notify(input, input.webhook);
  };
  try {
    const output = await withTimeLimit(input.timeoutMs, () => dispatch(input, request, record, tried));
    const outputText = output.body === undefined ? output.text : answerText(output.body);
    await finish({ status: 'PROCESSED', usage: output.usage, resultKey: output.bodyRef?.key, outputText });
    // A job's answer is stored; what it returns (to a parent batch, say) is references only.
    return input.job ? { ...output, body: undefined, text: undefined } : output;
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

/**
 * Runs `work` within `ms` (when set): past it the work is canceled (its agent stops) and the
 * request fails, saying so. A workflow's own cancellation still ends it as canceled.
 */
async function withTimeLimit<T>(ms: number | undefined, work: () => Promise<T>): Promise<T> {
  if (ms === undefined) return work();
  let expired = false;
  const scope = new CancellationScope();
  const timer = CancellationScope.cancellable(() => sleep(ms)).then(() => {
    expired = true;
    scope.cancel();
  });
  timer.catch(() => undefined);
  try {
    return await scope.run(work);
  } catch (err) {
    if (expired) {
      throw toApplicationFailure({
        type: ErrorType.UpstreamError,
        message: `The request took longer than its time limit of ${Math.round(ms / 1000)} s.`,
      });
    }
    throw err;
  }
}

/** Tells a job's webhook how the job ended; a delivery that finally fails is only logged. */
async function notify(input: InferenceInput, url: string): Promise<void> {
  const { runId } = workflowInfo();
  try {
    await webhooks.deliverJobWebhook({
      requestId: input.requestId,
      memberId: input.memberId,
      url,
      webhookId: `msg_${input.requestId}_${runId}`,
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('webhook delivery gave up', { requestId: input.requestId, error: String(err) });
  }
}

type RequestInfo = Omit<Parameters<Platform['resolveProviders']>[0], 'exclude' | 'requiredFeatures'>;

/** The attempts, provider after provider; returns the answer or throws why there is none. */
async function dispatch(
  input: InferenceInput,
  request: RequestInfo,
  record: RequestRecord,
  tried: string[],
): Promise<InferenceOutput> {
  const requiredFeatures = input.requiredFeatures ?? [];
  // Without a plan from the caller, the first read also writes the request's first row.
  const resolve = (first = false) =>
    platformStep(() =>
      platform.resolveProviders({
        ...request,
        exclude: [...tried],
        requiredFeatures,
        first,
        ...(first && !input.recorded && { record }),
      }),
    );
  const files = input.files ?? [];
  const media = files.length > 0 || input.outputs !== undefined;
  const deadline = workflowInfo().runStartTime.getTime() + (input.queueMs ?? 0);

  let lastError = 'no provider answered';
  // Written by the caller (input.recorded) or by the first read; else beside the first dispatch.
  let recorded: Promise<void> | undefined = input.recorded || !input.plan ? Promise.resolve() : undefined;
  let plan = input.plan ?? (await resolve(true));
  for (let idle = 1000; ;) {
    if (plan.providerIds.length === 0) {
      // Every provider that could take it has gone. A job waits for one to come back.
      if (!input.job || Date.now() + idle > deadline) {
        throw toApplicationFailure({
          type: ErrorType.UpstreamError,
          message: `No provider serving model '${input.model}' answered: ${lastError}`,
        });
      }
      await sleep(idle);
      idle = Math.min(idle * 2, MAX_CHECK_MS);
      tried.length = 0;
      plan = await resolve();
      continue;
    }
    const providerId = plan.providerIds[0];
    tried.push(providerId);
    if (!recorded) {
      recorded = records.recordRequest({ ...record, providerId });
      // Awaited where the row must exist (assets, the next attempt); the outcome is an upsert.
      recorded.catch(() => undefined);
    }
    // Presigned URLs are minted per attempt, so a failover never inherits expired ones.
    const prepared = media
      ? await platformStep(() =>
          platform.prepareTask({ requestId: input.requestId, files, outputs: input.outputs ?? null }),
        )
      : undefined;
    const attempt = await runAttempt(input, request, providerId, plan.dispatch, deadline, requiredFeatures, tried, {
      ...(prepared && { files: prepared.files, outputs: prepared.outputs, encoding: input.encoding }),
    });
    if ('failover' in attempt) {
      lastError = attempt.failover;
      // The next attempt updates the row: it must be there.
      await recorded;
      plan = await resolve();
      continue;
    }
    const { result } = attempt;
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
      ...(result.text !== undefined && { text: result.text }),
      usage: collected ? { ...result.usage, ...collected.usage } : result.usage,
      assets: collected?.assets,
    };
  }
}

type Attempt = { result: ProviderTaskResult } | { failover: string };

/**
 * One provider's attempt. While its agent has not taken the task, a watch looks at why now and
 * then: a provider whose agent is gone, or a busy one while another of the model sits idle, gives
 * the task up (it never started, so even a stream may go elsewhere); a busy one keeps it, in its
 * queue's order, until the request's queue time runs out (then 503).
 */
async function runAttempt(
  input: InferenceInput,
  request: RequestInfo,
  providerId: string,
  settings: NonNullable<InferenceInput['plan']>['dispatch'],
  deadline: number,
  requiredFeatures: string[],
  tried: string[],
  media: Record<string, unknown>,
): Promise<Attempt> {
  const { endpoint, serviceType } = REQUEST_KINDS[input.kind];
  const provider = proxyActivities<ProviderActivities>({
    taskQueue: providerTaskQueue(providerId),
    startToCloseTimeout: settings.taskTimeoutMs,
    heartbeatTimeout: settings.heartbeatTimeoutMs,
    retry: { maximumAttempts: 1 },
  });
  const scope = new CancellationScope();
  const task = scope.run(() =>
    provider.runProviderTask({
      requestId: input.requestId,
      serviceType,
      endpoint,
      ...(input.bodyRef ? { bodyRef: input.bodyRef } : { body: input.body ?? {} }),
      stream: input.stream,
      ...(input.reply && { reply: input.reply }),
      ...(input.job && { storeAnswer: true }),
      ...media,
    }),
  );
  let gaveUp: 'gone' | 'idle elsewhere' | 'busy' | undefined;
  const watch = (async () => {
    for (let wait = settings.pickupTimeoutMs; ; wait = Math.min(wait * 2, MAX_CHECK_MS)) {
      if (await settledWithin(task, wait)) return;
      const check = await platformStep(() =>
        platform.checkWaiting({ ...request, providerId, exclude: [...tried], requiredFeatures }),
      );
      if (check.started) return;
      gaveUp = !check.online
        ? 'gone'
        : check.idleAlternative
          ? 'idle elsewhere'
          : Date.now() >= deadline
            ? 'busy'
            : undefined;
      if (gaveUp) return scope.cancel();
    }
  })();
  watch.catch(() => undefined);
  try {
    return { result: await task };
  } catch (err) {
    if (gaveUp === 'busy') {
      throw toApplicationFailure({
        type: ErrorType.Unavailable,
        message: `Every provider serving model '${input.model}' is busy; retry shortly.`,
      });
    }
    if (gaveUp === 'gone') return { failover: "the provider's agent is gone" };
    if (gaveUp === 'idle elsewhere') return { failover: 'another provider was idle' };
    if (isCancellation(err)) throw err;
    const failure = classifyProviderFailure(err);
    // Once a stream may have reached the client, another provider would only repeat it.
    if (!failure.failover || (input.stream && !failure.neverStarted)) throw toApplicationFailure(failure);
    return { failover: failure.message };
  }
}

/** True when `task` settles within `ms`; the timer is canceled then, so it never wakes the workflow. */
async function settledWithin(task: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new CancellationScope();
  const slept = timer
    .run(() => sleep(ms))
    .then(
      () => false,
      () => false,
    );
  const settled = task.then(
    () => true,
    () => true,
  );
  const first = await Promise.race([settled, slept]);
  if (first) timer.cancel();
  return first;
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

import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Context } from 'koa';
import { inlineOrStored } from '../../clients/payload-store';
import { payloadKey } from '../../clients/storage-keys';
import { insertJob } from '../../db/repositories/job.repository';
import { finishRequest } from '../../db/repositories/request.repository';
import type { RequestRow } from '../../db/tables/request.table';
import { jobView } from '../../domain/job-view';
import { ErrorType } from '../../workflows/errors';
import type { inferenceWorkflow } from '../../workflows/inference.workflow';
import {
  REQUEST_KINDS,
  type DispatchPlan,
  type InferenceInput,
  type RequestKind,
} from '../../workflows/inference-contract';
import { inferenceStartOptions } from '../../workflows/inference-start';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { startUnlessStarted } from '../http/temporal-guard';
import { assertWebhookParam } from '../http/webhook-param';
import { newRequestId } from '../inference/start-inference';
import { readDispatchPlan } from '../inference/dispatch-plan';
import { stripPlatformFields } from '../../domain/platform-fields';
import type { InferenceCall } from '../inference/run-call';
import { bodyHash, derivedId, idempotencyKey } from './idempotency';
import { appendToCollection, requestHistory } from '../../domain/request-sharing';

/** The endpoints whose work may run as an async job; the others are synchronous only. */
export const ASYNC_KINDS: ReadonlySet<RequestKind> = new Set([
  'chat',
  'completion',
  'image',
  'speech',
  'music',
  'video',
  'mesh',
]);

type Ctx = Context & { state: AuthState };

/**
 * `"async": true`: answers 202 with the job object at once and lets the work run on its own, as
 * workflow `job-<id>` on the orchestration queue. With an Idempotency-Key, the same member, key
 * and body give the same job (created once, started once); the same key with another body is 422.
 */
export async function submitJob(deps: ApiDeps, ctx: Ctx, call: InferenceCall): Promise<void> {
  const { config, db } = deps;
  const { endpoint, serviceType } = REQUEST_KINDS[call.kind];
  if (!config.api.asyncJobs) {
    throw new ApiError(
      ErrorType.AsyncDisabled,
      'Async jobs are not enabled on this server; send the request without "async".',
    );
  }
  if (!ASYNC_KINDS.has(call.kind)) {
    throw badRequest(`${endpoint} is synchronous only; send the request without "async".`, { param: 'async' });
  }
  if (call.body.stream === true) {
    throw badRequest('An async job cannot stream; poll the job (or use a webhook) for its result.', {
      param: 'stream',
    });
  }
  const webhook = typeof call.body.webhook === 'string' ? call.body.webhook : null;
  if (webhook) await assertWebhookParam(webhook, config);
  const key = idempotencyKey(ctx);
  const member = ctx.state.member;
  const model = String(call.body.model);
  // The job's provider is chosen here: its row is written on it and its workflow dispatches at its
  // first task, so jobs reach a provider's queue in the order they arrived. What nobody could ever
  // serve is refused at once.
  const read = await readDispatchPlan(deps, {
    memberId: member.id,
    model,
    serviceType,
    requiredFeatures: call.requiredFeatures ?? [],
  });
  if ('refusal' in read) throw new ApiError(read.refusal.type, read.refusal.message);
  const { plan } = read;

  const jobId = key ? derivedId('job', member.id, key) : newRequestId();
  const hash = bodyHash(endpoint, call.body);
  const history = requestHistory(member, call.body);
  const { row, created } = await insertJob(db, {
    id: jobId,
    memberId: member.id,
    kind: call.kind,
    model,
    serviceType,
    workflowId: inferenceStartOptions({ kind: call.kind, requestId: jobId, model, memberName: member.name, job: true })
      .workflowId,
    endpoint,
    idempotencyKey: key ?? null,
    bodyHash: hash,
    webhookUrl: webhook,
    history,
    providerId: plan.providerIds[0],
  });
  if (row.body_hash !== hash) {
    throw new ApiError(
      ErrorType.IdempotencyKeyReused,
      'This Idempotency-Key was already used with another request body; use a new key for a new request.',
      { param: 'Idempotency-Key' },
    );
  }
  // Also for a row that exists but is still QUEUED: its first submission may have died between
  // writing the row and starting the workflow. Starting twice is refused by Temporal, harmlessly.
  // The job object (its queue position) is read and the collection appended to meanwhile.
  const [view] = await Promise.all([
    jobView(deps, row),
    created ? appendToCollection(db, member, call.body, jobId) : undefined,
    created || row.status === 'QUEUED'
      ? startJob(deps, ctx, row, call, webhook, Boolean(key), created ? plan : undefined)
      : undefined,
  ]);
  ctx.set('x-request-id', jobId);
  ctx.status = 202;
  ctx.body = view;
}

async function startJob(
  deps: ApiDeps,
  ctx: Ctx,
  row: RequestRow,
  call: InferenceCall,
  webhook: string | null,
  keyed: boolean,
  /** This submission's plan, when it wrote the row on its first provider; else the workflow plans. */
  plan: DispatchPlan | undefined,
): Promise<void> {
  const body = await inlineOrStored(deps.storage, payloadKey(row.id, 'request'), stripPlatformFields(call.body));
  const input: InferenceInput = {
    requestId: row.id,
    memberId: row.member_id,
    kind: call.kind,
    model: row.model,
    ...(body.ref ? { bodyRef: body.ref } : { body: body.inline }),
    stream: null,
    outputs: call.outputs,
    encoding: call.encoding,
    requiredFeatures: call.requiredFeatures,
    queueMs: deps.config.dispatch.jobQueueMs,
    job: true,
    ...(webhook && { webhook }),
    ...(plan && { plan, recorded: true }),
  };
  try {
    await startJobWorkflow(deps, ctx.state.member.name, input);
  } catch (err) {
    // Without a key nobody can resubmit this job: it ends here, FAILED, rather than QUEUED forever.
    if (!keyed) {
      await finishRequest(
        deps.db,
        { ...jobRecord(row), providerId: null },
        { status: 'FAILED', errorType: ErrorType.Unavailable, errorMessage: 'The job could not be started.' },
      ).catch(() => undefined);
    }
    throw err;
  }
}

/** Starts (or, for a retry, starts again) a job's workflow; one already running is left alone. */
export async function startJobWorkflow(deps: ApiDeps, memberName: string, input: InferenceInput): Promise<void> {
  await startUnlessStarted(deps.temporal, () =>
    deps.temporal.client.workflow.start<typeof inferenceWorkflow>('inferenceWorkflow', {
      taskQueue: deps.config.temporal.orchestrationQueue,
      // A job that failed or was canceled may run again under its id (retry); a live or finished one not.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      args: [input],
      ...inferenceStartOptions({
        kind: input.kind,
        requestId: input.requestId,
        model: input.model,
        memberName,
        job: true,
      }),
    }),
  );
}

function jobRecord(row: RequestRow) {
  return {
    requestId: row.id,
    memberId: row.member_id,
    kind: row.kind,
    model: row.model,
    serviceType: row.service_type,
    workflowId: row.workflow_id,
    startedAt: row.created_at.toISOString(),
  };
}

import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { putPayload } from '../../clients/payload-store';
import { payloadKey } from '../../clients/storage-keys';
import { insertBatchWithJobs } from '../../db/repositories/batch.repository';
import type { NewJob } from '../../db/repositories/job.repository';
import type { BatchRow } from '../../db/tables/batch.table';
import { batchWorkflowId, type BatchInput } from '../../workflows/batch-contract';
import type { batchWorkflow } from '../../workflows/batch.workflow';
import { ErrorType } from '../../workflows/errors';
import { REQUEST_KINDS, type InferenceInput } from '../../workflows/inference-contract';
import { jobWorkflowId } from '../../workflows/inference-start';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { startUnlessStarted } from '../http/temporal-guard';
import { stripPlatformFields } from '../../domain/platform-fields';
import { appendToCollections, requestHistory } from '../../domain/request-sharing';
import { bodyHash, derivedId, idempotencyKey } from '../jobs/idempotency';
import { batchItems, type BatchItem, type BatchRequest } from './batch-items';

/** The bodies a batch workflow's own input may carry inline; the rest go to the bucket. */
const INLINE_BUDGET_BYTES = 192 * 1024;
const PARALLEL_WRITES = 16;

type Ctx = Context & { state: AuthState };

/**
 * `POST /v1/batches`: validates every item (one 400 listing every bad one; nothing starts), writes
 * the batch and its jobs in one transaction, and starts workflow `batch-<id>`. With an
 * Idempotency-Key the same body gives the same batch; another body is 422.
 */
export async function submitBatch(deps: ApiDeps, ctx: Ctx, req: BatchRequest, raw: unknown): Promise<BatchRow> {
  const member = ctx.state.member;
  const key = idempotencyKey(ctx);
  const items = await batchItems(deps, member.id, req);
  const batchId = `batch_${key ? derivedId('batch', member.id, key).slice(0, 24) : randomBytes(12).toString('hex')}`;
  const hash = bodyHash('/v1/batches', raw);
  const endpoints = new Set(items.map((i) => i.endpoint));
  const jobs: NewJob[] = items.map((item, index) => {
    const id = jobIdOf(batchId, index);
    const kind = item.call.kind;
    return {
      id,
      memberId: member.id,
      kind,
      model: String(item.call.body.model),
      serviceType: REQUEST_KINDS[kind].serviceType,
      workflowId: jobWorkflowId(id),
      endpoint: item.endpoint,
      idempotencyKey: null,
      bodyHash: bodyHash(item.endpoint, item.call.body),
      webhookUrl: null,
      batchIndex: index,
      customId: item.customId,
      history: requestHistory(member, item.call.body),
    };
  });
  const { row, created } = await insertBatchWithJobs(
    deps.db,
    {
      id: batchId,
      memberId: member.id,
      endpoint: req.endpoint ?? (endpoints.size === 1 ? [...endpoints][0] : null),
      inputFileId: req.input_file_id ?? null,
      completionWindow: req.completion_window ?? null,
      metadata: req.metadata ?? null,
      idempotencyKey: key ?? null,
      bodyHash: hash,
    },
    jobs,
  );
  if (row.body_hash !== hash) {
    throw new ApiError(
      ErrorType.IdempotencyKeyReused,
      'This Idempotency-Key was already used with another batch; use a new key for a new batch.',
      { param: 'Idempotency-Key' },
    );
  }
  if (created) {
    await appendToCollections(
      deps.db,
      member,
      jobs.map((job, i) => ({ requestId: job.id, body: items[i].call.body })),
    );
  }
  // A batch still validating may be one whose first submission died before its workflow started.
  if (created || row.status === 'validating') {
    const inputs = await inferenceInputs(deps, member.id, items, jobs);
    await startBatchWorkflow(deps, {
      batchId,
      memberId: member.id,
      memberName: member.name,
      items: inputs,
      concurrency: deps.config.dispatch.batchConcurrency,
    });
  }
  return row;
}

/** Job ids of a batch's items: derived from the batch and the position, so a resubmission names the same jobs. */
function jobIdOf(batchId: string, index: number): string {
  return createHash('sha256').update(`${batchId}\u0000${index}`).digest('hex').slice(0, 32);
}

/** Each item as its job's workflow input: small bodies inline while the budget lasts, the rest stored. */
async function inferenceInputs(deps: ApiDeps, memberId: string, items: BatchItem[], jobs: NewJob[]) {
  let budget = INLINE_BUDGET_BYTES;
  const inputs: InferenceInput[] = items.map((item, i) => {
    const body = stripPlatformFields(item.call.body);
    const size = Buffer.byteLength(JSON.stringify(body));
    const inline = size <= budget;
    if (inline) budget -= size;
    return {
      requestId: jobs[i].id,
      memberId,
      kind: item.call.kind,
      model: jobs[i].model,
      ...(inline ? { body } : {}),
      stream: null,
      outputs: item.call.outputs,
      requiredFeatures: item.call.requiredFeatures,
      queueMs: deps.config.dispatch.jobQueueMs,
      job: true,
    };
  });
  const stored = inputs.filter((input) => !input.body);
  for (let i = 0; i < stored.length; i += PARALLEL_WRITES) {
    await Promise.all(
      stored.slice(i, i + PARALLEL_WRITES).map(async (input) => {
        const index = inputs.indexOf(input);
        const json = Buffer.from(JSON.stringify(stripPlatformFields(items[index].call.body)));
        input.bodyRef = await putPayload(deps.storage, payloadKey(input.requestId, 'request'), json);
      }),
    );
  }
  return inputs;
}

async function startBatchWorkflow(deps: ApiDeps, input: BatchInput): Promise<void> {
  await startUnlessStarted(deps.temporal, () =>
    deps.temporal.client.workflow.start<typeof batchWorkflow>('batchWorkflow', {
      taskQueue: deps.config.temporal.orchestrationQueue,
      workflowId: batchWorkflowId(input.batchId),
      args: [input],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTE_KEYS.member, value: input.memberName },
        { key: SEARCH_ATTRIBUTE_KEYS.kind, value: 'batch' },
      ],
      memo: { title: `batch of ${input.items.length} for ${input.memberName}` },
      staticSummary: `batch · ${input.items.length} requests · ${input.memberName}`,
    }),
  );
}

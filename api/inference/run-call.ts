import type { Context } from 'koa';
import { getPayload, inlineOrStored } from '../../clients/payload-store';
import { inputKey, payloadKey } from '../../clients/storage-keys';
import type { InferenceInput, InferenceOutput, RequestKind } from '../../workflows/inference-contract';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError, fromWorkflowFailure, unavailable } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { dependencyFailure } from '../http/dependency-errors';
import type { AttachedStream } from '../streams/stream-hub';
import { submitJob } from '../jobs/submit-job';
import { cancelWhenClientLeaves } from './client-cancel';
import { pipeStream } from './pipe-stream';
import { newRequestId, startInference, workflowResult } from './start-inference';
import { stripPlatformFields } from '../../domain/platform-fields';
import { shareRequest } from '../../domain/request-sharing';
import { StreamedText } from '../../workflows/answer-text';
import { saveOutputText } from '../../db/repositories/request.repository';

/** An upload that passed every check; it is written to the bucket only when the request starts. */
export interface AcceptedUpload {
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/** One inference call, validated, as an endpoint hands it over. */
export interface InferenceCall {
  kind: RequestKind;
  /** The validated body; platform fields (`visibility`, `collection`, `async`) are removed here. */
  body: Record<string, unknown>;
  uploads?: AcceptedUpload[];
  /** Extra inputs already in the bucket (voice samples), by body path. */
  stored?: NonNullable<InferenceInput['files']>;
  encoding?: InferenceInput['encoding'];
  outputs?: InferenceInput['outputs'];
  requiredFeatures?: string[];
}

/** What the call ended with: the provider's SSE body still to relay, or the finished output. */
export type CallAnswer = { stream: AttachedStream; requestId: string } | { output: InferenceOutput };

/**
 * Runs one inference call, the one path every endpoint takes. With `"async": true` it becomes a
 * job (answered 202 here; null is returned). Otherwise it runs synchronously: stores uploads and any
 * body too large for a workflow payload, starts the workflow, and waits for the answer (the
 * agent's stream, its buffered answer handed over directly, or the workflow's result). A client
 * that leaves cancels the workflow; so does this server's drain deadline, with a 503.
 */
export async function runCall(
  deps: ApiDeps,
  ctx: Context & { state: AuthState },
  call: InferenceCall,
): Promise<CallAnswer | null> {
  if (call.body.async === true) {
    // Answered already: 202 with the job object.
    await submitJob(deps, ctx, call);
    return null;
  }
  const { member } = ctx.state;
  const requestId = newRequestId();
  const streaming = call.body.stream === true;
  // Media outputs are collected and metered by the workflow; only plain answers may skip it.
  const media = call.outputs !== undefined || (call.uploads ?? []).length > 0 || (call.stored ?? []).length > 0;
  // The agent's answer comes straight to this instance (relayed if its agent is on another one).
  const target = { streamId: requestId, relayUrl: deps.config.api.internalBaseUrl };
  const reply = streaming || !media ? deps.hub.wait(requestId) : undefined;
  reply?.catch(() => undefined);

  const [files, body, history] = await Promise.all([
    storeUploads(deps, requestId, call.uploads ?? []),
    inlineOrStored(deps.storage, payloadKey(requestId, 'request'), stripPlatformFields(call.body)),
    shareRequest(deps.db, member, call.body, requestId),
  ]);
  const client = cancelWhenClientLeaves(deps, ctx, requestId);
  const { handle } = await startInference(deps, {
    requestId,
    memberId: member.id,
    memberName: member.name,
    kind: call.kind,
    model: String(call.body.model),
    ...(body.ref ? { bodyRef: body.ref } : { body: body.inline }),
    stream: streaming ? target : null,
    reply: streaming || media ? null : target,
    files: [...files, ...(call.stored ?? [])],
    encoding: call.encoding,
    outputs: call.outputs,
    requiredFeatures: call.requiredFeatures,
    queueMs: deps.config.dispatch.syncQueueMs,
    history,
    // A text call's first row is the API's to write; media calls' rows must exist before their
    // assets, so their workflow writes them.
    writeRow: !media,
  });
  client.watch(handle);
  ctx.set('x-request-id', requestId);

  const result = workflowResult(deps.temporal, handle, client.signal);
  result.catch(() => undefined);
  const shutdown = deadline(deps.lifecycle.deadlineSignal);
  const first = await Promise.race([
    // Rejected only by cancel(): the client left, so there is nobody to answer.
    ...(reply
      ? [
          reply.then(
            (answer) => ({ answer }),
            () => ({ gone: true as const }),
          ),
        ]
      : []),
    result.then(
      (output) => ({ output }),
      (err: unknown) => ({ error: dependencyFailure(err) ?? fromWorkflowFailure(err) }),
    ),
    shutdown.reached,
  ]).finally(shutdown.dispose);
  if ('shutdown' in first) {
    client.cancel();
    throw unavailable('This API server is shutting down; retry the request.', 1);
  }
  if ('gone' in first) throw new ApiError(ErrorType.Canceled, 'The client left.');
  // The answer is here: the long-poll on the workflow's result is no longer needed.
  if ('answer' in first) client.release();
  else deps.hub.cancel(requestId);
  if ('error' in first) throw first.error;
  if ('output' in first) return { output: await resolved(deps, first.output) };
  if (first.answer.kind === 'stream') return { stream: first.answer, requestId };
  const answered = first.answer.result;
  return { output: { requestId, providerId: '', status: answered.status, body: answered.body, usage: answered.usage } };
}

/** Writes the uploads to the bucket (one key each, in order) and names them as workflow inputs. */
async function storeUploads(deps: ApiDeps, requestId: string, uploads: AcceptedUpload[]) {
  const { client, bucket } = deps.storage;
  const several = new Set(
    uploads.filter((u, i) => uploads.findIndex((v) => v.field === u.field) !== i).map((u) => u.field),
  );
  return Promise.all(
    uploads.map(async (u, i) => {
      const key = inputKey(requestId, `${i}-${u.field}`);
      await client.putObject(bucket, key, u.bytes, u.bytes.length, { 'Content-Type': u.contentType });
      // Several files of one field go to the provider as `field[]`, as OpenAI's SDKs send them.
      return {
        field: several.has(u.field) ? `${u.field}[]` : u.field,
        key,
        filename: u.filename,
        contentType: u.contentType,
      };
    }),
  );
}

/** An output whose answer was too large to travel inline, read back from the bucket. */
async function resolved(deps: ApiDeps, output: InferenceOutput): Promise<InferenceOutput> {
  if (!output.bodyRef) return output;
  const { bodyRef, ...rest } = output;
  return { ...rest, body: await getPayload(deps.storage, bodyRef) };
}

/** Settles when the server's drain deadline passes; `dispose` unhooks it once the call is answered. */
function deadline(signal: AbortSignal): { reached: Promise<{ shutdown: true }>; dispose(): void } {
  let onAbort = () => undefined as void;
  const reached = new Promise<{ shutdown: true }>((resolve) => {
    onAbort = () => resolve({ shutdown: true });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { reached, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/** Answers with what a text call ended with: the provider's stream relayed as it comes, or its body. */
export function respondAnswer(deps: Pick<ApiDeps, 'db' | 'logger'>, ctx: Context, answer: CallAnswer | null): void {
  if (!answer) return;
  if ('stream' in answer) {
    ctx.respond = false;
    const text = new StreamedText();
    pipeStream(
      ctx,
      answer.stream,
      (chunk) => text.push(chunk),
      () => {
        void keepStreamedText(deps, answer.requestId, text.value);
      },
    );
    return;
  }
  ctx.status = answer.output.status;
  ctx.body = answer.output.body;
}

/**
 * Writes a streamed answer's text to its history row. The row is written beside the dispatch, so
 * it is there by the time a stream ends; if not yet, this waits a little for it.
 */
async function keepStreamedText(deps: Pick<ApiDeps, 'db' | 'logger'>, requestId: string, text: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      if (await saveOutputText(deps.db, requestId, text)) return;
    } catch (err) {
      deps.logger.warn('could not keep a streamed answer in the history', { requestId, error: String(err) });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
  }
}

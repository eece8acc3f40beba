import type { Context } from 'koa';
import type { RequestKind } from '../../workflows/definitions';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError, fromWorkflowFailure } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { cancelWhenClientLeaves } from './client-cancel';
import { newRequestId, startInference, stripPlatformFields, workflowResult } from './start-inference';
import { pipeStream } from './pipe-stream';
import { requiredChatFeatures } from './required-features';

/**
 * Runs one synchronous inference call: starts its workflow and answers with the provider's
 * body, or relays the provider's stream as it arrives. A client that leaves cancels the workflow.
 */
export async function runInference(
  deps: ApiDeps,
  ctx: Context & { state: AuthState },
  kind: RequestKind,
  body: Record<string, unknown>,
): Promise<void> {
  if (body.async === true) {
    throw new ApiError(
      ErrorType.AsyncDisabled,
      'Async jobs are not enabled on this server yet; send the request without "async".',
    );
  }
  const { member } = ctx.state;
  const requestId = newRequestId();
  // The agent's answer comes straight to this instance (relayed if its agent is on another one):
  // a stream as it is produced, a buffered body as soon as Temporal has accepted it.
  const target = { streamId: requestId, relayUrl: deps.config.api.internalBaseUrl };
  const streaming = body.stream === true;
  const reply = deps.hub.wait(requestId);
  reply.catch(() => undefined);

  const client = cancelWhenClientLeaves(deps, ctx, requestId);
  const { handle } = await startInference(deps, {
    requestId,
    memberId: member.id,
    memberName: member.name,
    kind,
    body: stripPlatformFields(body),
    stream: streaming ? target : null,
    reply: streaming ? null : target,
    requiredFeatures: requiredChatFeatures(body),
  });
  client.watch(handle);
  if (client.signal.aborted) return;
  ctx.set('x-request-id', requestId);

  const result = workflowResult(deps.temporal, handle, client.signal);
  result.catch(() => undefined);
  const first = await Promise.race([
    // Rejected only by cancel(): the client left, so there is nobody to answer.
    reply.then(
      (answer) => ({ answer }),
      () => ({ gone: true }),
    ),
    result.then(
      (output) => ({ output }),
      (err: unknown) => ({ error: fromWorkflowFailure(err) }),
    ),
  ]);
  if ('gone' in first) return;
  if ('answer' in first) {
    // The agent's answer is here: the long-poll on the workflow's result is no longer needed.
    client.release();
  }
  if ('error' in first) {
    deps.hub.cancel(requestId);
    throw first.error;
  }
  if ('output' in first) {
    // The workflow finished first (the relay was lost, or a server ignored `stream`).
    deps.hub.cancel(requestId);
    ctx.status = first.output.status;
    ctx.body = first.output.body;
    return;
  }
  if (first.answer.kind === 'result') {
    ctx.status = first.answer.result.status;
    ctx.body = first.answer.result.body;
    return;
  }
  ctx.respond = false;
  pipeStream(ctx, first.answer);
}

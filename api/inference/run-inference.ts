import type { Context } from 'koa';
import type { RequestKind } from '../../workflows/definitions';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError, fromWorkflowFailure } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { onClientGone } from '../http/client-gone';
import { newRequestId, startInference, stripPlatformFields } from './start-inference';
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
  const streaming = body.stream === true;
  const stream = streaming ? { streamId: requestId, relayUrl: deps.config.api.internalBaseUrl } : null;
  const attached = stream ? deps.hub.wait(stream.streamId) : null;
  attached?.catch(() => undefined);

  const abort = new AbortController();
  let cancel = () => abort.abort();
  onClientGone(ctx, () => cancel());

  const { handle } = await startInference(deps, {
    requestId,
    memberId: member.id,
    memberName: member.name,
    kind,
    body: stripPlatformFields(body),
    stream,
    requiredFeatures: requiredChatFeatures(body),
  });
  cancel = () => {
    abort.abort();
    if (stream) deps.hub.cancel(stream.streamId);
    handle.cancel().catch((err: unknown) => deps.logger.warn('cancel failed', { requestId, err: String(err) }));
  };
  if (abort.signal.aborted) return cancel();
  ctx.set('x-request-id', requestId);

  const result = deps.temporal.connection.withAbortSignal(abort.signal, () => handle.result());
  if (!attached) {
    const output = await result.catch((err: unknown) => {
      throw fromWorkflowFailure(err);
    });
    ctx.status = output.status;
    ctx.body = output.body;
    return;
  }

  result.catch(() => undefined);
  const first = await Promise.race([
    attached.then((s) => ({ stream: s })),
    result.then(
      (output) => ({ output }),
      (err: unknown) => ({ error: fromWorkflowFailure(err) }),
    ),
  ]);
  if ('error' in first) {
    deps.hub.cancel(requestId);
    throw first.error;
  }
  if ('output' in first) {
    // The provider answered without streaming (its server ignored `stream`): pass the body on.
    deps.hub.cancel(requestId);
    ctx.status = first.output.status;
    ctx.body = first.output.body;
    return;
  }
  ctx.respond = false;
  pipeStream(ctx, first.stream, () => cancel());
}

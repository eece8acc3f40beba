import type { Context } from 'koa';
import type { ApiDeps } from '../deps';
import { onClientGone } from '../http/client-gone';

export interface ClientCancel {
  /** Aborted when the client leaves (or `release` is called): bounds the wait on the workflow. */
  signal: AbortSignal;
  /** Arms cancellation for the started workflow; cancels at once if the client already left. */
  watch(handle: { cancel(): Promise<unknown> }): void;
  /** Stops waiting on the workflow without cancelling it (the answer came another way). */
  release(): void;
  /** Cancels the workflow as if the client had left (this server gives up on the request). */
  cancel(): void;
}

/**
 * A client that leaves cancels its request's workflow; Temporal then carries the cancellation to
 * the agent, which aborts its upstream call. Also drops the client's entry in the reply hub.
 */
export function cancelWhenClientLeaves(
  deps: Pick<ApiDeps, 'hub' | 'logger'>,
  ctx: Context,
  requestId: string,
): ClientCancel {
  const abort = new AbortController();
  let handle: { cancel(): Promise<unknown> } | undefined;
  let left = false;
  const cancel = () => {
    left = true;
    abort.abort();
    deps.hub.cancel(requestId);
    handle?.cancel().catch((err: unknown) => deps.logger.warn('cancel failed', { requestId, err: String(err) }));
  };
  onClientGone(ctx, cancel);
  return {
    signal: abort.signal,
    watch(started) {
      handle = started;
      if (left) cancel();
    },
    release: () => abort.abort(),
    cancel,
  };
}

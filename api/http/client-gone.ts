import type { Context } from 'koa';

/**
 * Calls `onGone` if the client's connection closes before the response was fully sent, including
 * when it already closed (while the body was read or the key looked up): then on the next tick.
 */
export function onClientGone(ctx: Context, onGone: () => void): void {
  if (ctx.res.destroyed && !ctx.res.writableFinished) {
    process.nextTick(onGone);
    return;
  }
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) onGone();
  });
}

/** A signal aborted once the client has gone (see onClientGone). */
export function clientGoneSignal(ctx: Context): AbortSignal {
  const abort = new AbortController();
  onClientGone(ctx, () => abort.abort());
  return abort.signal;
}

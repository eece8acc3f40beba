import type { Context } from 'koa';

/** Calls `onGone` if the client's connection closes before the response was fully sent. */
export function onClientGone(ctx: Context, onGone: () => void): void {
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) onGone();
  });
}

import type { Context } from 'koa';
import { onClientGone } from '../http/client-gone';
import type { AttachedStream } from '../streams/stream-hub';

const BROKEN = `data: ${JSON.stringify({ error: { message: 'The provider stream broke off.', type: 'upstream_error' } })}\n\n`;

/**
 * Writes an agent's SSE body to the client chunk by chunk, without parsing or buffering, with
 * backpressure both ways. Tells the agent whether the client received it all.
 */
export function pipeStream(
  ctx: Context,
  { source, done }: AttachedStream,
  onChunk?: (chunk: Uint8Array) => void,
  onEnd?: () => void,
): void {
  const res = ctx.res;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': String(ctx.response.get('x-request-id')),
  });
  res.socket?.setNoDelay(true);
  res.flushHeaders();

  let settled = false;
  const settle = (delivered: boolean) => {
    if (settled) return;
    settled = true;
    done(delivered);
  };
  source.on('data', (chunk: Buffer) => {
    onChunk?.(chunk);
    if (!res.write(chunk)) {
      source.pause();
      res.once('drain', () => source.resume());
    }
  });
  source.once('end', () => {
    res.end();
    settle(true);
    onEnd?.();
  });
  source.once('error', () => {
    if (!res.writableEnded) res.end(BROKEN);
    settle(false);
  });
  // The request's own close handler cancels the workflow; here only the relay stops.
  onClientGone(ctx, () => {
    source.destroy();
    settle(false);
  });
}

/** Server-sent events for the demo provider's streaming text endpoints (a test fixture). */
import type { Exchange } from './http';
import { sleep } from './http';

export interface SseEvent {
  data: unknown;
  /** Paced events are spaced at the server's tokensPerSecond. */
  paced: boolean;
}

export async function streamEvents(ex: Exchange, events: SseEvent[]): Promise<void> {
  const { res, signal } = ex;
  // Each token must leave as soon as it is written: latency benchmarks time individual chunks.
  res.socket?.setNoDelay(true);
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  const gapMs = ex.tokensPerSecond > 0 ? 1000 / ex.tokensPerSecond : 0;
  const start = Date.now();
  let paced = 0;
  for (const event of events) {
    if (signal.aborted) return;
    if (event.paced && gapMs > 0) {
      // Schedule against the start time so timer drift doesn't accumulate over long replies.
      paced++;
      await sleep(start + paced * gapMs - Date.now(), signal);
    }
    res.write(`data: ${JSON.stringify(event.data)}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}

/**
 * Demo provider: a deterministic OpenAI-compatible model server used as a TEST/BENCHMARK FIXTURE
 * in place of Ollama, vLLM, ComfyUI, Kokoro or Whisper. Same request in, same bytes out; every
 * file it returns is real (PNG, WAV, Ogg, MP4, GLB). Plain node:http keeps its own overhead
 * negligible next to the platform it is benchmarked against.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { imageEdits, imageGenerations } from './images';
import { modelList } from './catalogue';
import { chatCompletions, completions } from './chat';
import type { Exchange, Handler } from './http';
import { DemoError, RECEIVED, sendError, sendJson, sleep, type ReceivedRequest } from './http';
import { meshGenerations } from './mesh';
import { musicGenerations } from './music';
import { speech, voiceGenerations, voices } from './speech';
import { transcriptions } from './transcriptions';
import { videoGenerations } from './video';

export type { DemoModel, DemoServiceType } from './catalogue';
export { DEMO_MODELS } from './catalogue';

export interface DemoProviderOptions {
  /** 0 picks an ephemeral port (the default). */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Added before the first byte of every response. */
  latencyMs?: number;
  /** Streaming pace of chat/completions; 0 sends as fast as possible. */
  tokensPerSecond?: number;
  /** Keep the bodies of the last this many requests, for `received()` (tests); 0, the default, keeps none. */
  keepReceived?: number;
}

export interface DemoProvider {
  /** Base URL without /v1, e.g. http://127.0.0.1:12345 */
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): { requests: number; aborted: number; inFlight: number };
  /** The kept bodies, oldest first (see `keepReceived`). */
  received(): ReceivedRequest[];
}

const ROUTES: Record<string, Handler> = {
  'GET /v1/models': async (ex) => sendJson(ex.res, 200, modelList()),
  'GET /v1/audio/voices': voices,
  'POST /v1/chat/completions': chatCompletions,
  'POST /v1/completions': completions,
  'POST /v1/images/generations': imageGenerations,
  'POST /v1/images/edits': imageEdits,
  'POST /v1/audio/speech': speech,
  'POST /v1/audio/transcriptions': transcriptions,
  'POST /v1/music/generations': musicGenerations,
  'POST /v1/videos/generations': videoGenerations,
  'POST /v1/3d/generations': meshGenerations,
  'POST /v1/voice/generations': voiceGenerations,
};

/** Starts the fixture server; resolves once it listens. */
export function startDemoProvider(opts: DemoProviderOptions = {}): Promise<DemoProvider> {
  const latencyMs = opts.latencyMs ?? 0;
  const tokensPerSecond = opts.tokensPerSecond ?? 0;
  const counters = { requests: 0, aborted: 0, inFlight: 0 };
  const keep = opts.keepReceived ?? 0;
  const received: ReceivedRequest[] = [];

  const server = createServer((req, res) => {
    counters.requests++;
    counters.inFlight++;
    if (keep > 0) {
      if (received.length >= keep) received.splice(0, received.length - keep + 1);
      RECEIVED.set(req, received);
    }
    const controller = new AbortController();
    res.on('close', () => {
      counters.inFlight--;
      if (!res.writableFinished) {
        counters.aborted++;
        controller.abort(new Error('client disconnected'));
      }
    });
    const path = (req.url ?? '/').split('?', 1)[0].replace(/\/+$/, '');
    const handler = ROUTES[`${req.method} ${path}`];
    const ex: Exchange = { req, res, signal: controller.signal, tokensPerSecond };
    void run(ex, handler, latencyMs);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const { port, address, family } = server.address() as AddressInfo;
      const host = family === 'IPv6' ? `[${address}]` : address;
      resolve({
        url: `http://${host}:${port}`,
        port,
        stats: () => ({ ...counters }),
        received: () => [...received],
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Also drops idle keep-alive sockets and in-flight slow requests, so close is prompt.
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function run(ex: Exchange, handler: Handler | undefined, latencyMs: number): Promise<void> {
  try {
    await sleep(latencyMs, ex.signal);
    if (!handler) throw new DemoError(404, 'invalid_request_error', `Unknown route ${ex.req.method} ${ex.req.url}`);
    await handler(ex);
  } catch (err) {
    if (ex.signal.aborted || ex.res.headersSent) {
      if (!ex.res.writableEnded) ex.res.destroy();
      return;
    }
    const demoErr = err instanceof DemoError ? err : new DemoError(500, 'server_error', (err as Error).message);
    // Don't leave an unread upload on the socket: the client would see a reset instead of the error.
    if (!ex.req.complete) ex.req.resume();
    sendError(ex.res, demoErr);
  }
}

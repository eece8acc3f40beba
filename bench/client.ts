/**
 * The benchmark's HTTP client: plain node:http with a keep-alive agent, the same code for the
 * direct calls to the demo provider and for the calls through the platform.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export type Mode = 'sync' | 'stream';

export interface Target {
  name: string;
  /** Base URL without /v1. */
  baseUrl: string;
  headers: Record<string, string>;
}

export interface Sample {
  /** Sync: until the whole body arrived. Stream: until the first chunk with content arrived. */
  ms: number;
  /** Stream only: until the stream ended. */
  totalMs?: number;
  /** Wall-clock milliseconds (performance.timeOrigin based) for the profile timeline. */
  sentAt: number;
  firstAt?: number;
  doneAt: number;
  requestId?: string;
}

export const CHAT_BODY = { model: 'demo-chat', messages: [{ role: 'user', content: 'Say hello.' }] };
const REQUEST_TIMEOUT_MS = 30_000;

/** High-resolution wall clock in milliseconds, comparable with Temporal's event times. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

const elapsedMs = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e6;

export class BenchClient {
  private readonly agent: http.Agent;
  private readonly syncBody = Buffer.from(JSON.stringify(CHAT_BODY));
  private readonly streamBody = Buffer.from(JSON.stringify({ ...CHAT_BODY, stream: true }));

  constructor(maxSockets: number) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  }

  call(target: Target, mode: Mode): Promise<Sample> {
    return mode === 'sync' ? this.sync(target) : this.stream(target);
  }

  close(): void {
    this.agent.destroy();
  }

  private open(
    target: Target,
    body: Buffer,
    accept: string,
    onResponse: (res: http.IncomingMessage) => void,
  ): http.ClientRequest {
    const req = http.request(`${target.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      agent: this.agent,
      headers: {
        ...target.headers,
        'content-type': 'application/json',
        'content-length': String(body.length),
        accept,
      },
    });
    req.on('socket', (socket) => socket.setNoDelay(true));
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('response', onResponse);
    req.end(body);
    return req;
  }

  private sync(target: Target): Promise<Sample> {
    return new Promise<Sample>((resolve, reject) => {
      const sentAt = wallNow();
      const t0 = process.hrtime.bigint();
      const req = this.open(target, this.syncBody, 'application/json', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const ms = elapsedMs(t0);
          const doneAt = wallNow();
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200)
            return reject(new Error(`${target.name}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
          try {
            const parsed = JSON.parse(text) as { choices?: { message?: { content?: unknown } }[] };
            if (typeof parsed.choices?.[0]?.message?.content !== 'string')
              throw new Error('no choices[0].message.content');
          } catch (err) {
            return reject(
              new Error(`${target.name}: unexpected body (${(err as Error).message}): ${text.slice(0, 300)}`),
            );
          }
          resolve({ ms, sentAt, doneAt, requestId: header(res, 'x-request-id') });
        });
      });
      req.on('error', reject);
    });
  }

  private stream(target: Target): Promise<Sample> {
    return new Promise<Sample>((resolve, reject) => {
      const sentAt = wallNow();
      const t0 = process.hrtime.bigint();
      let firstMs: number | undefined;
      let firstAt: number | undefined;
      let done = false;
      let buffered = '';
      const req = this.open(target, this.streamBody, 'text/event-stream', (res) => {
        if (res.statusCode !== 200) {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => reject(new Error(`${target.name}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`)));
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let end: number;
          while ((end = buffered.indexOf('\n\n')) >= 0) {
            const event = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            for (const line of event.split('\n')) {
              if (!line.startsWith('data:')) continue;
              const data = line.slice(5).trim();
              if (data === '[DONE]') {
                done = true;
                continue;
              }
              if (firstMs !== undefined) continue;
              if (hasContent(data)) {
                firstMs = elapsedMs(t0);
                firstAt = wallNow();
              }
            }
          }
        });
        res.on('error', reject);
        res.on('end', () => {
          const totalMs = elapsedMs(t0);
          const doneAt = wallNow();
          if (firstMs === undefined) return reject(new Error(`${target.name}: stream ended without a content chunk`));
          if (!done) return reject(new Error(`${target.name}: stream ended without [DONE]`));
          resolve({ ms: firstMs, totalMs, sentAt, firstAt, doneAt, requestId: header(res, 'x-request-id') });
        });
      });
      req.on('error', reject);
    });
  }
}

function header(res: http.IncomingMessage, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function hasContent(data: string): boolean {
  try {
    const parsed = JSON.parse(data) as { choices?: { delta?: { content?: unknown } }[] };
    const content = parsed.choices?.[0]?.delta?.content;
    return typeof content === 'string' && content.length > 0;
  } catch {
    return false;
  }
}

export interface RunResult {
  samples: Sample[];
  errors: number;
  firstErrors: string[];
  seconds: number;
  rps: number;
}

/** Sends `requests` calls from `concurrency` clients, each starting its next call when the last ends. */
export async function runLoad(
  client: BenchClient,
  target: Target,
  mode: Mode,
  concurrency: number,
  requests: number,
): Promise<RunResult> {
  const samples: Sample[] = [];
  const firstErrors: string[] = [];
  let errors = 0;
  let next = 0;
  const t0 = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < requests) {
      next++;
      try {
        samples.push(await client.call(target, mode));
      } catch (err) {
        errors++;
        if (firstErrors.length < 3) firstErrors.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  const seconds = elapsedMs(t0) / 1000;
  return { samples, errors, firstErrors, seconds, rps: samples.length / seconds };
}

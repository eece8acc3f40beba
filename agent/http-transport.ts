import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';

/**
 * The agent's HTTP client: `fetch`'s shape (a WHATWG `Response` back, abortable through
 * `signal`) on node:http with kept-alive connections. Every task crosses three requests
 * (the poll's answer, the local server, the result), so their cost is latency the platform
 * adds; measured here, fetch took 0.2-0.4 ms more per request at the median and 1-4 ms more
 * at p99 than node:http (`node dist/bench/transport.js`). Multipart bodies still go through `fetch`,
 * which writes the form encoding.
 */
export interface SendInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer | ReadableStream<Uint8Array> | FormData;
  signal?: AbortSignal;
}

// Small writes (a streamed chunk, a poll's answer) leave at once rather than waiting on Nagle.
const keepAlive = { keepAlive: true, scheduling: 'lifo', noDelay: true } as const;
const clients: Partial<Record<string, { request: typeof http.request; agent: http.Agent }>> = {
  'http:': { request: http.request, agent: new http.Agent(keepAlive) },
  'https:': { request: https.request, agent: new https.Agent(keepAlive) },
};

/** Statuses whose response has no body, which `Response` refuses one for. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export async function send(url: string, init: SendInit = {}): Promise<Response> {
  const { body, signal } = init;
  if (body instanceof FormData) return fetch(url, init);
  const target = new URL(url);
  const client = clients[target.protocol];
  if (!client) throw new TypeError(`unsupported protocol in ${target.origin}`);
  signal?.throwIfAborted();
  const headers: Record<string, string> = { ...init.headers };
  if (typeof body === 'string' || Buffer.isBuffer(body)) headers['content-length'] = String(Buffer.byteLength(body));

  return new Promise<Response>((resolve, reject) => {
    const req = client.request(
      target,
      { method: init.method ?? 'GET', headers, agent: client.agent, signal },
      (res) => {
        const status = res.statusCode ?? 0;
        const responseHeaders = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        }
        let payload: ReadableStream<Uint8Array> | null = null;
        if (NULL_BODY.has(status) || init.method === 'HEAD') res.on('error', () => undefined).resume();
        else payload = Readable.toWeb(res) as ReadableStream<Uint8Array>;
        try {
          resolve(new Response(payload, { status, statusText: res.statusMessage, headers: responseHeaders }));
        } catch (err) {
          res.destroy();
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      },
    );
    // As fetch does, an aborted request rejects with the signal's reason.
    req.on('error', (err) => reject(signal?.aborted ? signal.reason : err));
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else {
      // A streamed upload: an error on either side ends both.
      const source = Readable.fromWeb(body as NodeReadableStream<Uint8Array>);
      source.on('error', (err) => req.destroy(err));
      source.pipe(req);
    }
  });
}

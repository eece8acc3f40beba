/** Plain node:http plumbing for the demo provider (a test/benchmark fixture). */
import type { IncomingMessage, ServerResponse } from 'node:http';

export class DemoError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** Fires when the client goes away before the response is finished. */
  signal: AbortSignal;
  tokensPerSecond: number;
}

export type Handler = (ex: Exchange) => Promise<void>;

/** Above OpenAI-compatible clients' 25 MB, so the platform's largest bodies reach the model. */
export const JSON_LIMIT = 32 * 1024 * 1024;
/** OpenAI's upload limit for audio and images. */
export const UPLOAD_LIMIT = 25 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': buf.length });
  res.end(buf);
}

export function sendBytes(res: ServerResponse, contentType: string, buf: Buffer): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': buf.length });
  res.end(buf);
}

export function sendError(res: ServerResponse, err: DemoError): void {
  const error: Record<string, string> = { message: err.message, type: err.type };
  if (err.code) error.code = err.code;
  sendJson(res, err.status, { error });
}

export function badRequest(message: string, type = 'invalid_request_error'): DemoError {
  return new DemoError(400, type, message);
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering but keep draining so the 413 can still be delivered.
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > limit) reject(new DemoError(413, 'invalid_request_error', `Body exceeds ${limit} bytes`));
      else resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

/** What one request to the demo provider carried: its path and its JSON body or form fields. */
export interface ReceivedRequest {
  path: string;
  body: Record<string, unknown>;
}

/** Each request's server log of received bodies (a test reads what the provider was sent). */
export const RECEIVED = new WeakMap<IncomingMessage, ReceivedRequest[]>();

export function noteReceived(req: IncomingMessage, body: Record<string, unknown>): void {
  RECEIVED.get(req)?.push({ path: (req.url ?? '/').split('?', 1)[0], body });
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req, JSON_LIMIT);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('Request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('Request body must be a JSON object');
  }
  noteReceived(req, parsed as Record<string, unknown>);
  return parsed as Record<string, unknown>;
}

export function requireString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v === '') throw badRequest(`Missing required field '${field}'`);
  return v;
}

/** A number field within [min, max]; absent means `fallback`, out of range is clamped. */
export function numberField(
  body: Record<string, unknown>,
  field: string,
  fallback: number,
  min: number,
  max: number,
): number {
  let v = body[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'string' && v.trim() !== '') v = Number(v);
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw badRequest(`'${field}' must be a positive number`);
  }
  return Math.min(max, Math.max(min, v));
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** "WxH" within [min, max] per side, or the default. */
export function parseSize(value: unknown, fallback: [number, number], max: number, even = false): [number, number] {
  const clamp = (n: number): number => {
    const c = Math.min(max, Math.max(even ? 2 : 1, n));
    return even ? c - (c % 2) : c;
  };
  if (value === undefined || value === null || value === '' || value === 'auto') {
    return [clamp(fallback[0]), clamp(fallback[1])];
  }
  const m = typeof value === 'string' ? /^(\d{1,5})x(\d{1,5})$/.exec(value) : null;
  if (!m) throw badRequest(`'size' must look like 256x256`);
  return [clamp(Number(m[1])), clamp(Number(m[2]))];
}

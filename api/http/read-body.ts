import type { Context } from 'koa';
import { ErrorType } from '../../workflows/errors';
import { ApiError, badRequest } from './api-error';

/** JSON nested deeper than this is refused before it is parsed (deeper than any API body needs). */
export const MAX_JSON_DEPTH = 64;

/** Reads the raw body, refusing (413) before buffering more than `limit` bytes. */
export async function readRawBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw tooLarge(limit);
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw badRequest('The request body could not be read (the client closed the connection?).');
  }
  return Buffer.concat(chunks, size);
}

/** A JSON object body: 400 when it is empty, malformed, not an object, or nested absurdly deep. */
export async function readJsonBody(ctx: Context, limit: number): Promise<unknown> {
  return parseJsonBody(await readRawBody(ctx, limit));
}

/** A JSON object body that may be left out: an empty body is `{}`. */
export async function readOptionalJsonBody(ctx: Context, limit: number): Promise<unknown> {
  const raw = await readRawBody(ctx, limit);
  return raw.length === 0 ? {} : parseJsonBody(raw);
}

function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) throw badRequest('The request body is empty; expected a JSON object.');
  if (nestingDepth(raw) > MAX_JSON_DEPTH) {
    throw badRequest(`The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('We could not parse the JSON body of your request.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('The request body must be a JSON object.');
  }
  return parsed;
}

/**
 * The deepest bracket nesting in a JSON text, skipping strings; one pass, no recursion, so a
 * pathological body costs a scan instead of a stack overflow later (in validation or serialization).
 */
export function nestingDepth(raw: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

function tooLarge(limit: number): ApiError {
  return new ApiError(
    ErrorType.RequestTooLarge,
    `The request body exceeds the ${Math.floor(limit / 1048576)} MB limit.`,
  );
}

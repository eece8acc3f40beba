import type { Context } from 'koa';
import { ErrorType } from '../../workflows/errors';
import { ApiError, badRequest } from './api-error';

/** Reads the raw body, refusing (413) before buffering more than `limit` bytes. */
export async function readRawBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

export async function readJsonBody(ctx: Context, limit: number): Promise<unknown> {
  const raw = await readRawBody(ctx, limit);
  if (raw.length === 0) throw badRequest('The request body is empty; expected a JSON object.');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('We could not parse the JSON body of your request.');
  }
}

function tooLarge(limit: number): ApiError {
  return new ApiError(
    ErrorType.RequestTooLarge,
    `The request body exceeds the ${Math.floor(limit / 1048576)} MB limit.`,
  );
}

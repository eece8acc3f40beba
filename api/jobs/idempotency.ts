import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { badRequest } from '../http/api-error';

const MAX_KEY = 255;

/**
 * The request's Idempotency-Key (Stripe's semantics): at most 255 visible characters, scoped to
 * the member. Undefined when absent.
 */
export function idempotencyKey(ctx: Context): string | undefined {
  const key = ctx.get('idempotency-key');
  if (key === '') return undefined;
  if (key.length > MAX_KEY || !/^[\x21-\x7e]+$/.test(key)) {
    throw badRequest(`The Idempotency-Key header must be 1 to ${MAX_KEY} visible ASCII characters.`, {
      param: 'Idempotency-Key',
    });
  }
  return key;
}

/**
 * The id a keyed submission gets: derived from member and key, so the database's primary key and
 * Temporal's workflow id both refuse a duplicate, even for requests arriving at the same instant.
 */
export function derivedId(scope: string, memberId: string, key: string): string {
  return createHash('sha256').update(`${scope}\u0000${memberId}\u0000${key}`).digest('hex').slice(0, 32);
}

/** What "the same request" means for an Idempotency-Key: the same endpoint and body. */
export function bodyHash(endpoint: string, body: unknown): string {
  return createHash('sha256').update(endpoint).update('\u0000').update(canonicalJson(body)).digest('hex');
}

/** JSON with object keys sorted, so key order does not make two bodies differ. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

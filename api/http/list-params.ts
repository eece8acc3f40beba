import type { Context } from 'koa';
import { badRequest } from './api-error';

/** The one value of a query parameter; repeated or non-string is a 400 naming it. */
export function queryParam(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`Query parameter '${name}' may be given once.`, { param: name });
  return value;
}

/** `?limit=`: 1 to `max`, `fallback` when absent. */
export function limitParam(ctx: Context, fallback = 20, max = 100): number {
  const raw = queryParam(ctx, 'limit');
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) {
    throw badRequest(`'limit' must be an integer from 1 to ${max}.`, { param: 'limit' });
  }
  return n;
}

/** `?name=` restricted to `allowed`. */
export function enumParam<T extends string>(ctx: Context, name: string, allowed: readonly T[]): T | undefined {
  const raw = queryParam(ctx, name);
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw badRequest(`'${name}' must be one of ${allowed.join(', ')}.`, { param: name });
  }
  return raw as T;
}

/** OpenAI's list page: the items, the first and last ids, and whether more follow. */
export function listPage<T extends { id: string }>(items: T[], limit: number) {
  const data = items.slice(0, limit);
  return {
    object: 'list' as const,
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: items.length > limit,
  };
}

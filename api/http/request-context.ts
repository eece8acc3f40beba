import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, Middleware } from 'koa';

const current = new AsyncLocalStorage<Context>();

/**
 * Runs the rest of the request inside an async context that remembers it, so an error thrown
 * from a callback nobody awaited (a stream's unhandled `error`) can still be traced to its request.
 */
export function requestContext(): Middleware {
  return (ctx, next) => current.run(ctx, next);
}

/** The request whose async context is running now, if any. */
export function currentRequest(): Context | undefined {
  return current.getStore();
}

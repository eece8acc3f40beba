import type { Context, Middleware } from 'koa';
import type { Logger } from '../../clients/logger';
import { ErrorType } from '../../workflows/errors';
import { ApiError } from './api-error';
import { dependencyFailure, unvalidatedInput } from './dependency-errors';

/**
 * Turns every thrown error into the OpenAI envelope: a dependency that is down is a 503, an
 * unknown route a 404, a known route with another method a 405 with `Allow`. Unknown errors are
 * logged, never leaked.
 */
export function errorMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.respond !== false) {
        const miss = routeMiss(ctx);
        if (ctx.method === 'OPTIONS' && miss.headers.allow) {
          ctx.status = 204;
          ctx.set('allow', `${miss.headers.allow}, OPTIONS`);
          return;
        }
        throw miss;
      }
    } catch (err) {
      const out = toApiError(err, ctx, logger);
      if (ctx.headerSent || !ctx.writable) return;
      ctx.status = out.status;
      for (const [name, value] of Object.entries(out.headers)) ctx.set(name, value);
      ctx.body = out.toJSON();
    }
  };
}

function toApiError(err: unknown, ctx: Context, logger: Logger): ApiError {
  if (err instanceof ApiError) return err;
  const down = dependencyFailure(err);
  if (down) {
    logger.warn('dependency unavailable', { path: ctx.path, err: errorMessage(err) });
    return down;
  }
  const input = unvalidatedInput(err);
  if (input) {
    logger.warn('unvalidated input reached the database', { path: ctx.path, err: errorMessage(err) });
    return input;
  }
  logger.error('unhandled error', { path: ctx.path, err: errorMessage(err) });
  return new ApiError(ErrorType.Internal, 'Internal error.');
}

/** 405 when some route has this path (the routers record their path matches on ctx.matched), else 404. */
function routeMiss(ctx: Context): ApiError {
  const matched = (ctx as { matched?: { methods: string[] }[] }).matched ?? [];
  const allowed = [...new Set(matched.flatMap((layer) => layer.methods))];
  if (allowed.length === 0) return new ApiError(ErrorType.NotFound, `No route for ${ctx.method} ${ctx.path}.`);
  return new ApiError(ErrorType.MethodNotAllowed, `${ctx.method} is not allowed on ${ctx.path}.`, {
    headers: { allow: allowed.join(', ') },
  });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

import type { Middleware } from 'koa';
import type { Logger } from '../../clients/logger';
import { ErrorType } from '../../workflows/errors';
import { ApiError } from './api-error';

/** Turns every thrown error into the OpenAI envelope; unknown errors are logged, never leaked. */
export function errorMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.respond !== false) {
        throw new ApiError(ErrorType.NotFound, `No route for ${ctx.method} ${ctx.path}.`);
      }
    } catch (err) {
      const apiError = err instanceof ApiError ? err : undefined;
      if (!apiError) logger.error('unhandled error', { path: ctx.path, err: errorMessage(err) });
      const out = apiError ?? new ApiError(ErrorType.Internal, 'Internal error.');
      if (ctx.headerSent || !ctx.writable) return;
      ctx.status = out.status;
      ctx.body = out.toJSON();
    }
  };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

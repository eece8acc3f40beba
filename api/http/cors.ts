import cors from '@koa/cors';
import type { Middleware } from 'koa';
import type { Config } from '../../config/config';

/** Paths a browser on another origin may call: the OpenAI surface and its OpenAPI document. */
const CORS_PATHS = /^\/(v1\/|openapi\.json$)/;

/**
 * CORS for `/v1`: keys travel as `Authorization: Bearer`, never as cookies, so no credentials are
 * allowed and `*` is a safe default. A preflight is answered here, before any key is asked for.
 */
export function corsForApi(config: Pick<Config, 'api'>): Middleware {
  const allowed = config.api.corsOrigins;
  const handler = cors({
    origin: (ctx) => {
      if (allowed === '*') return '*';
      const origin = ctx.get('origin');
      return allowed.includes(origin) ? origin : '';
    },
    credentials: false,
    allowMethods: ['GET', 'HEAD', 'POST', 'DELETE', 'PATCH', 'OPTIONS'],
    // Echoes what the browser asks for (the SDKs send their own X-Stainless-* headers).
    allowHeaders: undefined,
    exposeHeaders: ['x-request-id', 'x-asset-url', 'retry-after', 'content-range', 'accept-ranges'],
    maxAge: 600,
  });
  return (ctx, next) => (CORS_PATHS.test(ctx.path) ? handler(ctx, next) : next());
}

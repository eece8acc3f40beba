import { createReadStream } from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import { ErrorType } from '../../workflows/errors';
import { ApiError } from '../http/api-error';
import { EXPLORER_INIT_JS, PLAYLIST_JS } from '../pages/scripts';
import { securityHeaders } from '../pages/render';
import { SITE_CSS, SITE_CSS_PATH } from '../pages/styles';

/** Swagger UI's files, from its npm package (served by the API: no CDN). */
const SWAGGER_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const SWAGGER_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/**
 * The explorer's CSP: Swagger UI's script and styles and our init script from 'self', its inline
 * SVG icons as data: images, and "Try it out" calls to this API ('self'). Nothing from elsewhere.
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const EXPLORER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API explorer · inference.club</title>
<link rel="stylesheet" href="/docs/api/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/api/favicon-32x32.png" sizes="32x32">
</head>
<body>
<noscript><p>The explorer needs JavaScript. The OpenAPI document itself is at <a href="/openapi.json">/openapi.json</a>.</p></noscript>
<div id="swagger-ui"></div>
<script src="/docs/api/swagger-ui-bundle.js"></script>
<script src="/docs/api/init.js"></script>
</body>
</html>
`;

function sendText(ctx: Context, type: string, body: string, immutable: boolean): void {
  ctx.set('x-content-type-options', 'nosniff');
  ctx.set('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
  ctx.type = type;
  ctx.body = body;
}

/**
 * Open routes (no credentials asked): the pages' stylesheet and scripts, and the API explorer
 * (Swagger UI from the `swagger-ui-dist` package, pointed at `/openapi.json`).
 */
export function staticPagesRoutes(): Router {
  const router = new Router();
  router.get(SITE_CSS_PATH, (ctx) => sendText(ctx, 'text/css; charset=utf-8', SITE_CSS, true));
  router.get('/static/playlist.js', (ctx) => sendText(ctx, 'text/javascript; charset=utf-8', PLAYLIST_JS, false));

  // The router matches with or without the trailing slash; the page's links are absolute.
  router.get('/docs/api/', (ctx) => {
    securityHeaders(ctx, EXPLORER_CSP);
    ctx.set('cache-control', 'no-cache');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = EXPLORER_HTML;
  });
  router.get('/docs/api/init.js', (ctx) => sendText(ctx, 'text/javascript; charset=utf-8', EXPLORER_INIT_JS, false));
  router.get('/docs/api/:file', (ctx) => {
    const type = Object.prototype.hasOwnProperty.call(SWAGGER_FILES, ctx.params.file)
      ? SWAGGER_FILES[ctx.params.file]
      : undefined;
    if (!type) throw new ApiError(ErrorType.NotFound, `No route for GET ${ctx.path}.`);
    ctx.set('x-content-type-options', 'nosniff');
    ctx.set('cache-control', 'public, max-age=86400');
    ctx.type = type;
    ctx.body = createReadStream(path.join(SWAGGER_DIR, ctx.params.file));
  });
  return router;
}

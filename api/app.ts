import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import type { ApiDeps } from './deps';
import { requireMember } from './http/auth';
import { errorMiddleware } from './http/error-middleware';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { agentRoutes } from './routes/agent.routes';
import { assetsRoutes } from './routes/assets.routes';
import { mediaRoutes } from './routes/media.routes';
import { uploadMediaRoutes } from './routes/upload-media.routes';
import { voiceSamplesRoutes } from './routes/voice-samples.routes';
import { inferenceRoutes } from './routes/inference.routes';
import { internalRoutes } from './routes/internal.routes';
import { modelsRoutes } from './routes/models.routes';

/** The Koa API wrapped with start/stop, so the stack, tests and benchmarks boot it the same way. */
export class App {
  readonly koa = new Koa({ proxy: true });
  private server?: Server;

  constructor(private readonly deps: ApiDeps) {
    const open = new Router();
    open.get('/healthz', (ctx) => {
      ctx.body = { ok: true };
    });
    open.get('/openapi.json', (ctx) => {
      ctx.body = buildOpenApiDocument(`${deps.config.api.publicBaseUrl}`);
    });
    const internal = internalRoutes(deps);
    const authed = [
      modelsRoutes(deps),
      inferenceRoutes(deps),
      mediaRoutes(deps),
      uploadMediaRoutes(deps),
      assetsRoutes(deps),
      voiceSamplesRoutes(deps),
      agentRoutes(deps),
    ];

    const auth = requireMember(deps.db);
    this.koa.use(errorMiddleware(deps.logger));
    this.koa.use(open.routes());
    this.koa.use(internal.routes());
    this.koa.use(async (ctx, next) => {
      // Only known API paths require a key, so unknown ones answer 404 rather than 401.
      if (ctx.path.startsWith('/v1/') || ctx.path.startsWith('/api/')) return auth(ctx, next);
      await next();
    });
    for (const router of authed) this.koa.use(router.routes()).use(router.allowedMethods());
  }

  async start(): Promise<string> {
    const { host, port } = this.deps.config.api;
    const server = createServer(this.koa.callback());
    // Agents' long-polls and streams outlive Node's default request timeouts.
    server.requestTimeout = 0;
    server.keepAliveTimeout = 65000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    return `http://${host}:${address.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import type { ApiDeps } from './deps';
import {
  bearerMember,
  optionalViewer,
  requireMember,
  signedInPage,
  type AuthState,
  type ViewerState,
} from './http/auth';
import { corsForApi } from './http/cors';
import { errorMessage, errorMiddleware } from './http/error-middleware';
import { requestContext } from './http/request-context';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { accountRoutes } from './routes/account.routes';
import { agentRoutes } from './routes/agent.routes';
import { assetsRoutes } from './routes/assets.routes';
import { filesRoutes } from './routes/files.routes';
import { mediaRoutes } from './routes/media.routes';
import { uploadMediaRoutes } from './routes/upload-media.routes';
import { voiceSamplesRoutes } from './routes/voice-samples.routes';
import { inferenceRoutes } from './routes/inference.routes';
import { internalRoutes } from './routes/internal.routes';
import { modelsRoutes } from './routes/models.routes';
import { jobsRoutes } from './routes/jobs.routes';
import { batchesRoutes } from './routes/batches.routes';
import { workflowsRoutes } from './routes/workflows.routes';
import { historyRoutes } from './routes/history.routes';
import { collectionsRoutes } from './routes/collections.routes';
import { sharedRoutes } from './routes/shared.routes';
import { dashboardPagesRoutes } from './routes/dashboard-pages.routes';
import { sessionPagesRoutes } from './routes/session-pages.routes';
import { sharePagesRoutes } from './routes/share-pages.routes';
import { staticPagesRoutes } from './routes/static-pages.routes';

const CLIENT_GONE = new Set(['EPIPE', 'ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']);

/**
 * The Koa API wrapped with start/stop, so the stack, tests and benchmarks boot it the same way.
 * Each router chooses its own authentication (api/http/auth.ts), never the URL prefix: open
 * (health, OpenAPI, static files, the API explorer, sign-in), replica relays (the gateway secret),
 * assets (a signed link, or whoever the viewer is), the member API (a key or a session cookie with
 * its CSRF token), the agent API (a key only), public and share-token pages (anyone; the viewer
 * when signed in) and signed-in pages (a session or a key, else the sign-in page). Paths no router
 * knows are a 404 without asking for a key.
 */
export class App {
  readonly koa = new Koa({ proxy: true });
  private server?: Server;
  private readonly routers: Router[];
  /** The web pages (HTML, not in the OpenAPI document). */
  private readonly pageRouters: Router[];

  constructor(private readonly deps: ApiDeps) {
    const open = new Router();
    open.get('/healthz', (ctx) => {
      if (deps.lifecycle.isDraining) {
        ctx.status = 503;
        ctx.body = { ok: false, draining: true };
        return;
      }
      ctx.body = { ok: true };
    });
    open.get('/openapi.json', (ctx) => {
      ctx.body = buildOpenApiDocument(`${deps.config.api.publicBaseUrl}`);
    });

    const auth = requireMember(deps.db);
    const members = new Router<AuthState>();
    members.use(auth);
    for (const router of [
      modelsRoutes(deps),
      inferenceRoutes(deps),
      mediaRoutes(deps),
      uploadMediaRoutes(deps),
      filesRoutes(deps),
      jobsRoutes(deps),
      batchesRoutes(deps),
      workflowsRoutes(deps),
      voiceSamplesRoutes(deps),
      accountRoutes(deps),
      historyRoutes(deps),
      collectionsRoutes(deps),
    ]) {
      members.use(router.routes());
    }
    const agents = new Router<AuthState>();
    agents.use(bearerMember(deps.db));
    agents.use(agentRoutes(deps).routes());

    const viewer = optionalViewer(deps.db);
    const sharePages = new Router<ViewerState>();
    sharePages.use(viewer);
    sharePages.use(sharePagesRoutes(deps).routes());
    const signedInPages = new Router<AuthState>();
    signedInPages.use(signedInPage(deps.db));
    signedInPages.use(dashboardPagesRoutes(deps).routes());
    this.pageRouters = [staticPagesRoutes(), sessionPagesRoutes(deps), sharePages, signedInPages] as Router[];

    // Errors of a body still streaming (the only ones that reach Koa past errorMiddleware): a browser
    // that stops a media download it no longer needs is routine, anything else is logged.
    this.koa.on('error', (err: NodeJS.ErrnoException, ctx?: { path?: string }) => {
      if (CLIENT_GONE.has(err.code ?? '') || /premature close/i.test(err.message)) return;
      deps.logger.error('response stream failed', { path: ctx?.path, err: errorMessage(err) });
    });
    this.koa.use(requestContext());
    this.koa.use(errorMiddleware(deps.logger));
    this.koa.use(corsForApi(deps.config));
    this.koa.use(deps.lifecycle.middleware());
    const sharedApi = new Router<ViewerState>();
    sharedApi.use(viewer);
    sharedApi.use(sharedRoutes(deps).routes());
    this.routers = [open, internalRoutes(deps), assetsRoutes(deps, viewer), sharedApi, members, agents] as Router[];
    for (const router of [...this.routers, ...this.pageRouters]) this.koa.use(router.routes());
  }

  /** Every API route served, as `METHOD /path/:param` (for the test that holds the OpenAPI document to them). */
  routes(): string[] {
    return this.routers.flatMap((router) =>
      router.stack
        .filter((layer) => layer.methods.length > 0)
        .flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path)}`)),
    );
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

  /**
   * Stops taking connections and new requests, lets requests in flight finish for the drain period
   * (the ones still waiting then answer 503), and closes what is left.
   */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await this.deps.lifecycle.drain(this.deps.config.api.drainMs);
    // Handlers that watched the deadline have answered by now; give their bytes a moment to leave.
    if (this.deps.lifecycle.pending > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    server.closeAllConnections();
    await closed;
  }
}

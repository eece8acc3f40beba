import { setMaxListeners } from 'node:events';
import type { Context, Middleware } from 'koa';
import { unavailable } from './api-error';

/** Requests that finish work already under way, so they are still taken while draining. */
const DRAIN_EXEMPT = [/^\/api\/inference\/agent\/tasks\/[^/]+\/(complete|fail|heartbeat|stream)\/?$/, /^\/internal\//];

/**
 * An API process's way out: on stop it takes no new work (503 with Retry-After, so clients and
 * load balancers go elsewhere), ends agents' long-polls at once, lets requests in flight finish for
 * a bounded time, then tells the ones still waiting (503) instead of cutting their connections.
 */
export class Lifecycle {
  private readonly draining = new AbortController();
  private readonly deadline = new AbortController();
  private readonly inFlight = new Set<Context>();
  private idle?: () => void;

  constructor() {
    // Every request in flight watches these: as many listeners as requests is the design.
    setMaxListeners(0, this.draining.signal, this.deadline.signal);
  }

  /** Aborted when the process starts draining: long-polls end now. */
  get drainSignal(): AbortSignal {
    return this.draining.signal;
  }

  /** Aborted when the drain period is over: requests still waiting give up with a 503. */
  get deadlineSignal(): AbortSignal {
    return this.deadline.signal;
  }

  get isDraining(): boolean {
    return this.draining.signal.aborted;
  }

  middleware(): Middleware {
    return async (ctx, next) => {
      if (this.isDraining && !DRAIN_EXEMPT.some((re) => re.test(ctx.path))) {
        ctx.set('connection', 'close');
        throw unavailable('This API server is shutting down; retry the request.', 1);
      }
      // A request counts until its response has left (Koa writes the body after the middleware
      // chain returns, and streams run on after it), so closing connections never cuts an answer.
      this.inFlight.add(ctx);
      ctx.res.once('close', () => {
        this.inFlight.delete(ctx);
        if (this.inFlight.size === 0) this.idle?.();
      });
      await next();
      // Draining: no more requests on this connection.
      if (this.isDraining && !ctx.headerSent) ctx.set('connection', 'close');
    };
  }

  /** Starts draining and resolves when every request has finished or `graceMs` has passed. */
  async drain(graceMs: number): Promise<void> {
    this.draining.abort();
    if (this.inFlight.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.deadline.abort();
  }

  /** Requests still running (after the deadline: the ones that could not finish in time). */
  get pending(): number {
    return this.inFlight.size;
  }
}

import { setMaxListeners } from 'node:events';
import { advertisedModels } from './advertised-models';
import { AgentApi, AgentApiError, type AdvertisedModel, type PolledTask } from './agent-api';
import { forwardTask } from './forward-task';
import { TaskFailure, describe, type FailureReport } from './task-failure';
import type { UpstreamMap } from './upstream';

export interface AgentOptions {
  apiUrl: string;
  key: string;
  name: string;
  upstreams: UpstreamMap;
  models: AdvertisedModel[];
  concurrency?: number;
  shared?: boolean;
  /** How long `stop()` lets in-flight tasks finish before handing them back. */
  shutdownGraceMs?: number;
  log?: (msg: string) => void;
}

/** A restarted API is back within seconds: an agent never waits longer than this to poll again. */
const MAX_BACKOFF_MS = 5000;
/** The platform said 503 (a dependency is down, or this API server is draining): it is worth asking again soon. */
const UNAVAILABLE_RETRY_MS = 1000;

/**
 * A member's provider agent: heartbeats its models, keeps `concurrency` long-polls waiting so
 * a task is matched the moment it is scheduled, forwards each task to the local server, and
 * streams or answers back. Outbound HTTP only.
 */
export class ProviderAgent {
  private readonly api: AgentApi;
  private readonly polls = new AbortController();
  private readonly inFlight = new Map<string, AbortController>();
  private providerId?: string;
  private heartbeatTimer?: NodeJS.Timeout;
  private loops: Promise<void>[] = [];
  private stopping = false;
  /** What the heartbeat advertises: the options' models, cut to the fields the platform accepts. */
  readonly models: AdvertisedModel[];

  constructor(private readonly opts: AgentOptions) {
    this.api = new AgentApi(opts.apiUrl.replace(/\/+$/, ''), opts.key);
    // Every waiting poll listens on this one signal: `concurrency` listeners is the design, not a leak.
    setMaxListeners((opts.concurrency ?? 1) + 10, this.polls.signal);
    this.models = advertisedModels(opts.models, (id, reason) => this.log(`not advertising '${id}': ${reason}`));
  }

  get id(): string | undefined {
    return this.providerId;
  }

  get activeTasks(): number {
    return this.inFlight.size;
  }

  /**
   * Registers with the platform and starts polling. An API that is down or restarting (no answer,
   * a 5xx) is waited for with backoff; a refusal (a bad key, a bad model list) fails at once.
   */
  async start(): Promise<string> {
    let backoff = 500;
    let intervalMs: number;
    for (;;) {
      try {
        intervalMs = await this.heartbeat();
        break;
      } catch (err) {
        if (this.stopping || (err instanceof AgentApiError && err.status < 500)) throw err;
        this.log(`the platform is not answering yet, retrying in ${backoff} ms: ${describe(err)}`);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
    this.heartbeatTimer = setInterval(() => {
      this.heartbeat().catch((err: unknown) => this.log(`heartbeat failed: ${String(err)}`));
    }, intervalMs);
    this.heartbeatTimer.unref();
    this.loops = Array.from({ length: this.opts.concurrency ?? 1 }, () => this.pollLoop());
    return this.providerId as string;
  }

  /** Stops polling, lets in-flight tasks finish for the grace period, then hands the rest back. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeatTimer);
    this.polls.abort();
    const deadline = Date.now() + (this.opts.shutdownGraceMs ?? 10000);
    while (this.inFlight.size > 0 && Date.now() < deadline) await sleep(50);
    for (const controller of this.inFlight.values()) controller.abort(new Error('agent_shutdown'));
    await Promise.allSettled(this.loops);
  }

  private async heartbeat(): Promise<number> {
    const res = await this.api.heartbeat({
      name: this.opts.name,
      shared: this.opts.shared ?? false,
      concurrency: this.opts.concurrency ?? 1,
      models: this.models,
    });
    this.providerId = res.provider_id;
    return res.heartbeat_interval_seconds * 1000;
  }

  private async pollLoop(): Promise<void> {
    let backoff = 500;
    while (!this.stopping) {
      try {
        const task = await this.api.poll(this.providerId as string, this.polls.signal);
        backoff = 500;
        if (task) await this.run(task);
      } catch (err) {
        if (this.stopping) return;
        const wait = err instanceof AgentApiError && err.status === 503 ? UNAVAILABLE_RETRY_MS : backoff;
        this.log(`poll failed, retrying in ${wait} ms: ${describe(err)}`);
        await sleep(wait);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private async run(polled: PolledTask): Promise<void> {
    const { token, task } = polled;
    const work = new AbortController();
    this.inFlight.set(token, work);
    const beat = setInterval(
      () => {
        this.api.taskHeartbeat(token).then(
          (r) => r.cancel_requested && work.abort(new Error('canceled')),
          (err: unknown) => this.log(`task heartbeat failed: ${describe(err)}`),
        );
      },
      Math.max(200, Math.min(2000, polled.heartbeat_timeout_ms / 3 || 2000)),
    );
    try {
      const forwarded = await forwardTask(this.opts.upstreams, task, work.signal);
      if ('stream' in forwarded) {
        await this.api.stream(token, forwarded.stream, work.signal);
        await this.api.complete(token, { status: forwarded.status });
      } else {
        await this.api.complete(token, forwarded.result);
      }
    } catch (err) {
      await this.reportFailure(token, work.signal, err);
    } finally {
      clearInterval(beat);
      this.inFlight.delete(token);
      // Whatever ended the task (a client that left mid-stream included), stop the local server's
      // work and any transfer of this task still running.
      work.abort(new Error('task ended'));
    }
  }

  private async reportFailure(token: string, signal: AbortSignal, err: unknown): Promise<void> {
    const reason = signal.aborted ? String((signal.reason as Error)?.message ?? signal.reason) : '';
    if (reason === 'canceled') return; // The workflow no longer wants an answer.
    const failure: FailureReport =
      reason === 'agent_shutdown'
        ? { type: 'agent_shutdown', message: 'the provider agent shut down before finishing' }
        : err instanceof TaskFailure
          ? err.report()
          : { type: 'upstream_error', message: `local server failed: ${describe(err)}` };
    await this.api.fail(token, failure).catch((e: unknown) => {
      // 409: the task already ended (timed out or canceled); nothing left to report.
      if (!(e instanceof AgentApiError && e.status === 409)) this.log(`could not report failure: ${describe(e)}`);
    });
  }

  private log(msg: string): void {
    (this.opts.log ?? ((m: string) => process.stderr.write(`[agent ${this.opts.name}] ${m}\n`)))(msg);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

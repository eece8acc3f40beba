import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createWorker } from '../../worker/create-worker';
import OpenAI from 'openai';
import { ProviderAgent, type AgentOptions } from '../../agent/provider-agent';
import { startApi, type RunningApi } from '../../api/create-api';
import { connectTemporal, type TemporalClients } from '../../clients/temporal';
import { loadConfig, type Config } from '../../config/config';
import { createDb, type Db } from '../../db/database';
import { createApiKey, createMember } from '../../db/repositories/member.repository';
import {
  DEMO_MODELS,
  startDemoProvider,
  type DemoProvider,
  type DemoProviderOptions,
} from '../../demo-provider/server';
import { freePort } from '../../scripts/services';
import { runDist, waitUntil, type Proc } from './processes';

try {
  // Expected failures (no_provider, upstream errors) are logged by the SDK at WARN; tests assert them instead.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // Already installed by an earlier test file in this process.
}

export interface TestMember {
  id: string;
  name: string;
  key: string;
  openai: OpenAI;
}

/**
 * One test file's platform: an API (with its in-process worker) on its own task queue, a demo provider,
 * and helpers to add members and agents. Temporal, Postgres and MinIO are the suite's.
 */
export class TestStack {
  readonly agents: ProviderAgent[] = [];
  private readonly extraApis: RunningApi[] = [];
  private extraEnv: Record<string, string> = {};
  private readonly procs: Proc[] = [];
  /** The worker process's other half (jobs, batches, runs), in-process, unless the test spawns its own. */
  private orchestration?: RunningWorker;

  private constructor(
    readonly config: Config,
    readonly db: Db,
    readonly temporal: TemporalClients,
    readonly api: RunningApi,
    readonly demo: DemoProvider,
  ) {}

  static async start(
    options: { env?: Record<string, string>; worker?: boolean; demo?: DemoProviderOptions } = {},
  ): Promise<TestStack> {
    // Without a worker the API runs none either: the test brings its own (a separate process).
    const env = { ...(options.worker === false && { API_INFERENCE_WORKER: 'false' }), ...options.env };
    const config = await testConfig(env);
    const db = createDb(config.databaseUrl, 4);
    const [api, demo, temporal, orchestration] = await Promise.all([
      startApi(config, { workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE }),
      startDemoProvider(options.demo),
      connectTemporal(config),
      options.worker === false ? undefined : startOrchestrationWorker(config),
    ]);
    const stack = new TestStack(config, db, temporal, api, demo);
    stack.extraEnv = env;
    stack.orchestration = orchestration;
    return stack;
  }

  /** The environment a separate worker or API process needs to join this stack. */
  env(): Record<string, string> {
    return { ...(process.env as Record<string, string>), ...baseEnv(this.config), ...this.extraEnv };
  }

  /** Runs the compiled worker as its own process (for crash tests). */
  spawnWorker(): Proc {
    return this.track(runDist('worker/main.js', [], this.env()));
  }

  /** Runs the compiled API as its own process on `port` (for crash tests); resolves once it listens. */
  async spawnApi(port: number): Promise<Proc> {
    const proc = this.track(runDist('api/main.js', [], { ...this.env(), API_PORT: String(port) }));
    await waitUntil(
      () => proc.output().includes('API listening') || proc.child.exitCode !== null,
      'the API process to listen',
    );
    if (proc.child.exitCode !== null) throw new Error(`the API process exited: ${proc.output()}`);
    return proc;
  }

  private track(proc: Proc): Proc {
    this.procs.push(proc);
    return proc;
  }

  /** Runs the compiled agent CLI as its own process in front of `upstream`. */
  async spawnAgent(member: TestMember, name: string, upstream = this.demo.url, apiUrl = this.url): Promise<Proc> {
    const proc = this.track(
      runDist(
        'agent/cli.js',
        ['--api-url', apiUrl, '--key', member.key, '--name', name, '--upstream', upstream, '--concurrency', '2'],
        {},
      ),
    );
    await waitUntil(() => proc.output().includes('serving') || proc.child.exitCode !== null, `agent ${name} to start`);
    if (proc.child.exitCode !== null) throw new Error(`agent ${name} exited: ${proc.output()}`);
    return proc;
  }

  get url(): string {
    return this.api.url;
  }

  async member(prefix = 'member'): Promise<TestMember> {
    const member = await createMember(this.db, `${prefix}-${randomUUID().slice(0, 8)}`);
    const key = await createApiKey(this.db, member.id);
    return { id: member.id, name: member.name, key, openai: this.openai(key) };
  }

  openai(key: string, baseUrl = this.url): OpenAI {
    return new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: key, maxRetries: 0, timeout: 30000 });
  }

  /** Starts an agent for `member` in front of the demo provider (or `upstream`). */
  async agent(member: TestMember, options: Partial<AgentOptions> = {}): Promise<ProviderAgent> {
    const agent = new ProviderAgent({
      apiUrl: this.url,
      key: member.key,
      name: `rig-${randomUUID().slice(0, 6)}`,
      upstreams: { default: this.demo.url },
      models: DEMO_MODELS,
      concurrency: 2,
      log: process.env.AGENT_LOG ? (m: string) => process.stderr.write(`[agent] ${m}\n`) : () => undefined,
      ...options,
    });
    await agent.start();
    this.agents.push(agent);
    return agent;
  }

  /** A second API replica sharing everything but its port, for cross-instance streaming. */
  async secondApi(env: Record<string, string> = {}): Promise<RunningApi> {
    const port = await freePort();
    const config = loadConfig({ ...this.env(), API_PORT: String(port), ...env });
    const api = await startApi(config, { workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE });
    this.extraApis.push(api);
    return api;
  }

  /**
   * With RECORD_HISTORIES=1, saves every workflow history of this stack under test/histories/
   * for the replay test. Histories are committed, so a change that breaks replay shows up there.
   */
  async recordHistories(name: string, max = 40): Promise<void> {
    if (!process.env.RECORD_HISTORIES) return;
    const dir = path.join(__dirname, '..', 'histories');
    mkdirSync(dir, { recursive: true });
    let n = 0;
    const { taskQueue, orchestrationQueue } = this.config.temporal;
    const query = `TaskQueue = '${taskQueue}' OR TaskQueue = '${orchestrationQueue}'`;
    for await (const wf of this.temporal.client.workflow.list({ query })) {
      // Every batch and workflow run is kept, and up to `max` inference workflows (not all 256 of a batch).
      if (n >= max && wf.type === 'inferenceWorkflow') continue;
      const handle = this.temporal.client.workflow.getHandle(wf.workflowId, wf.runId);
      await this.temporal.connection
        .withAbortSignal(AbortSignal.timeout(30_000), () =>
          this.temporal.waits.workflow.getHandle(wf.workflowId, wf.runId).result(),
        )
        .catch(() => undefined);
      const { status } = await handle.describe();
      // One still running (a run left waiting at a gate) has no ending to replay.
      if (status.name === 'RUNNING') continue;
      n += 1;
      writeFileSync(
        path.join(dir, `${name}-${n}-${status.name.toLowerCase()}.json`),
        historyToJSON(await handle.fetchHistory()),
      );
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.procs.map((p) => p.kill()));
    await Promise.allSettled(this.agents.map((a) => a.stop()));
    await Promise.allSettled(this.extraApis.map((a) => a.stop()));
    await this.api.stop();
    await this.orchestration?.stop();
    await this.temporal.close();
    await this.demo.close();
    await this.db.destroy();
  }
}

interface RunningWorker {
  stop(): Promise<void>;
}

/** What the worker process runs besides the inference queue: the orchestration queue's worker. */
async function startOrchestrationWorker(config: Config): Promise<RunningWorker> {
  const db = createDb(config.databaseUrl, 4);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({
    config,
    db,
    connection,
    queue: 'orchestration',
    workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
  });
  const running = worker.run();
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
      await db.destroy();
    },
  };
}

function baseEnv(config: Config): Record<string, string> {
  return {
    TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    GATEWAY_SECRET: config.api.gatewaySecret,
    PROVIDER_PICKUP_TIMEOUT_MS: String(config.dispatch.pickupTimeoutMs),
    PROVIDER_HEARTBEAT_TIMEOUT_MS: String(config.dispatch.taskHeartbeatTimeoutMs),
    WEBHOOK_ALLOW_PRIVATE: String(config.webhooks.allowPrivate),
  };
}

async function testConfig(env: Record<string, string>): Promise<Config> {
  const port = await freePort();
  return loadConfig({
    ...process.env,
    API_PORT: String(port),
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    GATEWAY_SECRET: randomUUID(),
    PROVIDER_PICKUP_TIMEOUT_MS: '1500',
    PROVIDER_HEARTBEAT_TIMEOUT_MS: '3000',
    // Test webhook receivers listen on loopback.
    WEBHOOK_ALLOW_PRIVATE: 'true',
    ...env,
  });
}

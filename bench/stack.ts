/**
 * Boots a throwaway real platform for the benchmark, the way the test suite's global setup and
 * TestStack do: Temporal dev server, PostgreSQL and MinIO in a temp dir, the API with its
 * in-process worker on the prebuilt workflow bundle, the demo provider, a member and a provider agent.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ProviderAgent } from '../agent/provider-agent';
import { startApi, type RunningApi } from '../api/create-api';
import { loadConfig, type Config } from '../config/config';
import { createDb, type Db } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { createApiKey, createMember } from '../db/repositories/member.repository';
import { DEMO_MODELS, startDemoProvider, type DemoProvider } from '../demo-provider/server';
import {
  freePort,
  startMinio,
  startPostgres,
  startTemporal,
  stopAll,
  type MinioServer,
  type PostgresServer,
  type TemporalServer,
} from '../scripts/services';
import { createWorker, WORKFLOW_BUNDLE_PATH } from '../worker/create-worker';

export interface BenchStack {
  dir: string;
  config: Config;
  api: RunningApi;
  demo: DemoProvider;
  agent: ProviderAgent;
  apiKey: string;
  /** A client of the benchmark's own, for reading workflow histories in the profile. */
  temporal: Client;
  stop(): Promise<void>;
}

export interface StackOptions {
  agentConcurrency: number;
  /** The demo provider's delay before each answer. */
  upstreamLatencyMs?: number;
  /** An already running Temporal frontend (with the search attributes registered) instead of a fresh dev server. */
  temporalAddress?: string;
  /** Extra `KEY=VALUE` dynamic config values for the dev server (on top of its latency tuning). */
  temporalDynamicConfig?: string[];
  /** Also run the worker process's orchestration half (async jobs, batches), in-process. */
  orchestration?: boolean;
  /** Extra environment for the platform's config (BATCH_CONCURRENCY, ...). */
  env?: Record<string, string>;
  log: (msg: string) => void;
}

let runtimeInstalled = false;

export async function startStack({
  agentConcurrency,
  upstreamLatencyMs = 0,
  temporalAddress,
  temporalDynamicConfig = [],
  orchestration = false,
  env: extraEnv = {},
  log,
}: StackOptions): Promise<BenchStack> {
  if (!existsSync(WORKFLOW_BUNDLE_PATH)) {
    throw new Error(`no prebuilt workflow bundle at ${WORKFLOW_BUNDLE_PATH}: run \`npm run build\` first`);
  }
  if (!runtimeInstalled) {
    // Before anything creates a native connection: keeps Core's INFO lines out of the report.
    // Signals are the benchmark's to handle: it stops the services before exiting.
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
    runtimeInstalled = true;
  }

  const dir = mkdtempSync(path.join(os.tmpdir(), 'inference-bench-'));
  // Postgres runs as its own user when the benchmark runs as root; it must reach its data folder.
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, 'logs'));
  const logFile = (name: string) => path.join(dir, 'logs', `${name}.log`);

  // Everything started so far, stopped in reverse order by stop() or on a failed boot.
  const stops: { name: string; stop: () => Promise<unknown> }[] = [];
  const stop = async (): Promise<void> => {
    for (const { name, stop: fn } of stops.splice(0).reverse()) {
      await fn().catch((err: unknown) => log(`stopping ${name} failed: ${String(err)}`));
    }
    await stopAll().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    log(`starting ${temporalAddress ? '' : 'Temporal, '}PostgreSQL and MinIO ...`);
    const started = await Promise.allSettled([
      temporalAddress
        ? Promise.resolve<TemporalServer>({
            address: temporalAddress,
            uiUrl: null,
            pid: 0,
            stop: async () => undefined,
          })
        : startTemporal({ headless: true, logFile: logFile('temporal'), dynamicConfig: temporalDynamicConfig }),
      startPostgres({ dataDir: path.join(dir, 'postgres'), logFile: logFile('postgres') }),
      startMinio({ dataDir: path.join(dir, 'minio'), logFile: logFile('minio'), persistCredentials: false }),
    ]);
    for (const [i, name] of ['temporal', 'postgres', 'minio'].entries()) {
      const r = started[i];
      if (r.status === 'fulfilled') stops.push({ name, stop: () => r.value.stop() });
    }
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const temporal = (started[0] as PromiseFulfilledResult<TemporalServer>).value;
    const postgres = (started[1] as PromiseFulfilledResult<PostgresServer>).value;
    const minio = (started[2] as PromiseFulfilledResult<MinioServer>).value;

    const pool: Db = createDb(postgres.url, 10);
    stops.push({ name: 'db pool', stop: () => pool.destroy() });
    await migrateToLatest(pool);
    // The API's and its worker's queries are timed for the profile (a no-op unless a hook is set).
    const db = pool.withPlugin(queryTiming);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporal.address,
      S3_ENDPOINT: minio.endpoint,
      S3_ACCESS_KEY: minio.accessKey,
      S3_SECRET_KEY: minio.secretKey,
      GATEWAY_SECRET: randomBytes(24).toString('base64url').slice(0, 32),
      API_PORT: String(await freePort()),
      TEMPORAL_TASK_QUEUE: `bench-${randomUUID()}`,
      LOG_LEVEL: 'error',
      ...extraEnv,
    };
    const config = loadConfig(env);

    log('starting the worker, API, demo provider and agent ...');
    // The API runs the inference worker in-process (eager start) on the timed pool.
    const api = await startApi(config, { workflowBundlePath: WORKFLOW_BUNDLE_PATH, db });
    stops.push({ name: 'api', stop: () => api.stop() });
    const demo = await startDemoProvider({ latencyMs: upstreamLatencyMs, tokensPerSecond: 0 });
    stops.push({ name: 'demo provider', stop: () => demo.close() });

    if (orchestration) {
      const native = await NativeConnection.connect({ address: config.temporal.address });
      const worker = await createWorker({
        config,
        db: pool,
        connection: native,
        queue: 'orchestration',
        workflowBundlePath: WORKFLOW_BUNDLE_PATH,
      });
      const running = worker.run();
      stops.push({
        name: 'orchestration worker',
        stop: async () => {
          worker.shutdown();
          await running.catch(() => undefined);
          await native.close();
        },
      });
    }

    const connection = await Connection.connect({ address: config.temporal.address });
    stops.push({ name: 'bench temporal connection', stop: () => connection.close() });
    const client = new Client({ connection, namespace: config.temporal.namespace });

    const member = await createMember(db, `bench-${randomUUID().slice(0, 8)}`);
    const apiKey = await createApiKey(db, member.id);
    const agent = new ProviderAgent({
      apiUrl: api.url,
      key: apiKey,
      name: `bench-rig-${randomUUID().slice(0, 6)}`,
      upstreams: { default: demo.url },
      models: DEMO_MODELS,
      concurrency: agentConcurrency,
      shutdownGraceMs: 2000,
      log: (m: string) => log(`[agent] ${m}`),
    });
    await agent.start();
    // Stopped first (pushed last): its long-polls end before the API closes.
    stops.push({ name: 'agent', stop: () => agent.stop() });

    return { dir, config, api, demo, agent, apiKey, temporal: client, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Called around every query of the worker's pool (its local activities) while set. */
export type QueryHook = (verb: string, phase: 'start' | 'end') => void;
let queryHook: QueryHook | undefined;

export function setQueryHook(hook: QueryHook | undefined): void {
  queryHook = hook;
}

const VERBS: Record<string, string> = {
  SelectQueryNode: 'SELECT',
  InsertQueryNode: 'INSERT',
  UpdateQueryNode: 'UPDATE',
  DeleteQueryNode: 'DELETE',
};
const verbs = new WeakMap<object, string>();

const queryTiming: KyselyPlugin = {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (queryHook) {
      const verb = VERBS[args.node.kind] ?? args.node.kind;
      verbs.set(args.queryId, verb);
      queryHook(verb, 'start');
    }
    return args.node;
  },
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const verb = verbs.get(args.queryId);
    if (verb) queryHook?.(verb, 'end');
    return args.result;
  },
};

/**
 * The platform as separate processes for the comparison benchmark, so each one's CPU can be read
 * from /proc: Temporal dev server, PostgreSQL and MinIO (as the test stack starts them), then the
 * compiled worker, API, demo provider and agent entry points (as `npm start` starts them), each a
 * child of the benchmark. Also starts `npm start`'s own stack script in a folder of its own.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createDb } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { createApiKey, createMember } from '../db/repositories/member.repository';
import {
  canConnect,
  freePort,
  logSince,
  repoRoot,
  spawnChild,
  startMinio,
  startPostgres,
  startTemporal,
  type Child,
  type RunningProcess,
} from '../scripts/services';

const HOST = '127.0.0.1';
const dist = (entry: string) => path.join(repoRoot(), 'dist', entry);

export interface Infrastructure {
  temporalAddress: string;
  databaseUrl: string;
  env: Record<string, string>;
  pids: { temporal: number; postgres: number; minio: number };
  stop(): Promise<void>;
}

/** Temporal (in memory, the latency tuning of scripts/services), PostgreSQL and MinIO under `dir`. */
export async function startInfrastructure(dir: string): Promise<Infrastructure> {
  chmodSync(dir, 0o755); // Postgres runs as its own user when the benchmark runs as root
  const logFile = (name: string) => path.join(dir, 'logs', `${name}.log`);
  mkdirSync(path.dirname(logFile('x')), { recursive: true });
  const [temporal, postgres, minio] = await Promise.all([
    startTemporal({ headless: true, logFile: logFile('temporal') }),
    startPostgres({ dataDir: path.join(dir, 'postgres'), logFile: logFile('postgres') }),
    startMinio({ dataDir: path.join(dir, 'minio'), logFile: logFile('minio'), persistCredentials: false }),
  ]);
  const db = createDb(postgres.url, 2);
  await migrateToLatest(db);
  await db.destroy();
  const stops: RunningProcess[] = [minio, postgres, temporal];
  return {
    temporalAddress: temporal.address,
    databaseUrl: postgres.url,
    env: {
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: postgres.url,
      S3_ENDPOINT: minio.endpoint,
      S3_ACCESS_KEY: minio.accessKey,
      S3_SECRET_KEY: minio.secretKey,
    },
    pids: { temporal: temporal.pid, postgres: postgres.pid, minio: minio.pid },
    stop: async () => {
      for (const s of stops) await s.stop().catch(() => undefined);
    },
  };
}

function node(
  name: string,
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  dir: string,
  nodeArgs: string[] = [],
): Promise<Child> {
  return spawnChild({
    name,
    command: process.execPath,
    args: [...nodeArgs, dist(entry), ...args],
    logFile: path.join(dir, 'logs', `${name}.log`),
    env,
  });
}

export interface DemoProcess {
  url: string;
  child: Child;
}

/** `npm run demo-provider -- --port P [--tokens-per-second N]` */
export async function startDemoProcess(dir: string, name: string, tokensPerSecond = 0): Promise<DemoProcess> {
  const port = await freePort(HOST);
  const args = ['--port', String(port), '--tokens-per-second', String(tokensPerSecond)];
  const child = await node(name, 'demo-provider/cli.js', args, process.env, dir);
  await child.waitFor(() => canConnect(HOST, port), { timeoutMs: 15_000, what: `${name} to listen` });
  return { url: `http://${HOST}:${port}`, child };
}

export interface PlatformProcesses {
  apiUrl: string;
  apiKey: string;
  worker: Child;
  api: Child;
  /** Starts `npm run agent -- --api-url .. --key .. --name .. --upstream .. --concurrency N`. */
  startAgent(name: string, upstream: string, concurrency: number): Promise<Child>;
  stop(): Promise<void>;
}

/** The pid of each process of the separately started platform, by the names the reports use. */
export function platformPids(infra: Infrastructure, platform: PlatformProcesses, agentPid: number, demoPid: number) {
  return {
    temporal: infra.pids.temporal,
    api: platform.api.pid,
    worker: platform.worker.pid,
    agent: agentPid,
    postgres: infra.pids.postgres,
    minio: infra.pids.minio,
    'demo provider': demoPid,
  };
}

/** The worker and API processes on `infra`, with their LOG_LEVEL, and a member whose key the agents and clients use. */
export async function startPlatform(
  infra: Infrastructure,
  dir: string,
  logLevel: string,
  extraEnv: Record<string, string> = {},
  /** Node flags for the worker, API and agents (--cpu-prof ...). */
  nodeArgs: string[] = [],
): Promise<PlatformProcesses> {
  const apiPort = await freePort(HOST);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...extraEnv,
    ...infra.env,
    GATEWAY_SECRET: randomBytes(24).toString('base64url'),
    LOG_LEVEL: logLevel,
    API_PORT: String(apiPort),
  };
  const db = createDb(infra.databaseUrl, 2);
  const member = await createMember(db, `bench-${randomBytes(4).toString('hex')}`);
  const apiKey = await createApiKey(db, member.id);
  await db.destroy();

  const workerLog = logSince(path.join(dir, 'logs', 'worker.log'));
  const worker = await node('worker', 'worker/main.js', [], env, dir, nodeArgs);
  const api = await node('api', 'api/main.js', [], env, dir, nodeArgs);
  const children: Child[] = [api, worker];
  await Promise.all([
    worker.waitFor(() => workerLog().includes('worker polling'), { timeoutMs: 60_000, what: 'the worker to poll' }),
    api.waitFor(() => canConnect(HOST, apiPort), { timeoutMs: 30_000, what: 'the API to listen' }),
  ]);
  const apiUrl = `http://${HOST}:${apiPort}`;
  return {
    apiUrl,
    apiKey,
    worker,
    api,
    async startAgent(name, upstream, concurrency) {
      const log = logSince(path.join(dir, 'logs', `${name}.log`));
      const args = ['--api-url', apiUrl, '--key', apiKey, '--name', name, '--upstream', upstream];
      const agent = await node(
        name,
        'agent/cli.js',
        [...args, '--concurrency', String(concurrency)],
        env,
        dir,
        nodeArgs,
      );
      children.unshift(agent);
      await agent.waitFor(() => /^agent .* serving /m.test(log()), { timeoutMs: 15_000, what: `${name} to register` });
      return agent;
    },
    stop: async () => {
      for (const child of children) await child.stop().catch(() => undefined);
    },
  };
}

export interface NpmStartStack {
  apiUrl: string;
  apiKey: string;
  /** Each part's pid, from the stack's pids.json. */
  pids: Record<string, number>;
  child: Child;
}

/** `npm start`'s stack script (built), with its defaults, data in `dataDir` (STACK_DATA_DIR). */
export async function startNpmStartStack(
  dataDir: string,
  logFile: string,
  extraEnv: Record<string, string> = {},
): Promise<NpmStartStack> {
  const env = { ...process.env, ...extraEnv };
  for (const key of ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'S3_ENDPOINT', 'API_PORT', 'LOG_LEVEL']) delete env[key];
  const out = logSince(logFile);
  const child = await spawnChild({
    name: 'npm-start stack',
    command: process.execPath,
    args: [dist('scripts/stack.js')],
    logFile,
    env: { ...env, STACK_DATA_DIR: dataDir },
    graceMs: 60_000,
  });
  await child.waitFor(() => out().includes('inference.club is running'), {
    timeoutMs: 180_000,
    what: "npm start's stack to be up",
  });
  const text = out();
  const apiUrl = /API\s+(http:\/\/\S+)\/v1/.exec(text)?.[1];
  const apiKey = /Demo API key\s+(\S+)/.exec(text)?.[1];
  if (!apiUrl || !apiKey) throw new Error(`cannot read the API URL and key from ${logFile}`);
  const pids = JSON.parse(readFileSync(path.join(dataDir, 'pids.json'), 'utf8')) as Record<string, number>;
  delete pids.stack;
  return { apiUrl, apiKey, pids, child };
}

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createDb, type Db } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { createApiKey, createMember, findMemberByApiKey, findMemberByName } from '../db/repositories/member.repository';
import {
  canConnect,
  freePort,
  repoRoot,
  spawnChild,
  startMinio,
  startPostgres,
  startTemporal,
  stopAll,
} from './services';

const HOST = '127.0.0.1';
const ROOT = repoRoot();
const DATA = path.join(ROOT, '.data');
const LOGS = path.join(DATA, 'logs');
const log = (name: string) => path.join(LOGS, `${name}.log`);
const say = (msg: string) => process.stdout.write(`stack: ${msg}\n`);

/**
 * `npm start`: the whole platform on this machine, data kept in .data/ across restarts.
 * Each infrastructure part is skipped when its environment variable points elsewhere.
 */
async function main(): Promise<void> {
  mkdirSync(LOGS, { recursive: true });
  claimDataFolder();
  const env: Record<string, string> = { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' };
  let temporalUi: string | null = null;

  const [temporal, postgres, minio] = await Promise.all([
    process.env.TEMPORAL_ADDRESS
      ? null
      : startTemporal({
          dataDir: path.join(DATA, 'temporal'),
          port: await preferred(7233),
          uiPort: await preferred(8233),
          logFile: log('temporal'),
        }),
    process.env.DATABASE_URL ? null : startPostgres({ dataDir: path.join(DATA, 'postgres'), logFile: log('postgres') }),
    process.env.S3_ENDPOINT ? null : startMinio({ dataDir: path.join(DATA, 'minio'), logFile: log('minio') }),
  ]);
  if (temporal) {
    env.TEMPORAL_ADDRESS = temporal.address;
    temporalUi = temporal.uiUrl;
  }
  if (postgres) env.DATABASE_URL = postgres.url;
  if (minio)
    Object.assign(env, { S3_ENDPOINT: minio.endpoint, S3_ACCESS_KEY: minio.accessKey, S3_SECRET_KEY: minio.secretKey });
  say('Temporal, PostgreSQL and MinIO are up');

  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    GATEWAY_SECRET: process.env.GATEWAY_SECRET ?? persistentSecret(),
  };
  const db = createDb(childEnv.DATABASE_URL as string, 2);
  await migrateToLatest(db);
  const demoKey = await demoMemberKey(db);
  await db.destroy();

  const apiPort = process.env.API_PORT ? Number(process.env.API_PORT) : await preferred(8080);
  const apiUrl = `http://${HOST}:${apiPort}`;
  const node = process.execPath;
  const dist = (p: string) => path.join(ROOT, 'dist', p);
  const worker = await spawnChild({
    name: 'worker',
    command: node,
    args: [dist('worker/main.js')],
    logFile: log('worker'),
    env: childEnv,
  });
  const api = await spawnChild({
    name: 'api',
    command: node,
    args: [dist('api/main.js')],
    logFile: log('api'),
    env: { ...childEnv, API_PORT: String(apiPort) },
  });
  await api.waitFor(() => canConnect(HOST, apiPort), { timeoutMs: 30000, what: 'the API to listen' });
  await worker.waitFor(() => readFileSync(log('worker'), 'utf8').includes('worker polling'), {
    timeoutMs: 60000,
    what: 'the worker to poll',
  });

  const demoPort = await freePort();
  const demo = await spawnChild({
    name: 'demo-provider',
    command: node,
    args: [dist('demo-provider/cli.js'), '--port', String(demoPort)],
    logFile: log('demo-provider'),
    env: childEnv,
  });
  await demo.waitFor(() => canConnect(HOST, demoPort), { timeoutMs: 15000, what: 'the demo provider to listen' });
  const agent = await spawnChild({
    name: 'agent',
    command: node,
    args: [
      dist('agent/cli.js'),
      '--api-url',
      apiUrl,
      '--name',
      'demo-rig',
      '--upstream',
      `http://${HOST}:${demoPort}`,
      '--concurrency',
      '8',
    ],
    logFile: log('agent'),
    env: { ...childEnv, INFERENCE_CLUB_KEY: demoKey },
  });
  await agent.waitFor(() => readFileSync(log('agent'), 'utf8').includes('serving'), {
    timeoutMs: 15000,
    what: 'the demo agent to register',
  });

  process.stdout.write(`
inference.club is running (data in .data/, logs in .data/logs/)

  API            ${apiUrl}/v1        (OpenAPI: ${apiUrl}/openapi.json)
  Temporal UI    ${temporalUi ?? `(external Temporal at ${childEnv.TEMPORAL_ADDRESS})`}
  Demo API key   ${demoKey}
  DATABASE_URL   ${childEnv.DATABASE_URL}

  The demo provider is a deterministic fixture (no model weights), served by the agent "demo-rig".
  Try:
    curl ${apiUrl}/v1/chat/completions -H "Authorization: Bearer ${demoKey}" \\
      -H "Content-Type: application/json" -d '{"model":"demo-chat","messages":[{"role":"user","content":"Say hello."}]}'

Ctrl-C stops everything.
`);

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping...');
    for (const child of [agent, demo, api, worker]) await child.stop();
    await stopAll();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  for (const child of [worker, api, demo, agent]) {
    void child.exit.then((status) => {
      if (stopping) return;
      say(`${child.name} exited (${status.signal ?? status.code}); see ${child.logFile}`);
      void shutdown(1);
    });
  }
}

/**
 * One stack per data folder: a second one would replace the first one's Postgres (it looks stale
 * to it) and share its files. The lock names the owner's pid, so a crashed owner does not block.
 */
function claimDataFolder(): void {
  const lock = path.join(DATA, 'stack.pid');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new Error(
        `another stack (pid ${pid}) is already running on ${DATA}; stop it first (Ctrl-C in its terminal)`,
      );
    }
  }
  writeFileSync(lock, String(process.pid));
  process.once('exit', () => {
    if (existsSync(lock) && readFileSync(lock, 'utf8') === String(process.pid)) unlinkSync(lock);
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The conventional port when it is free, so bookmarks keep working; any free port otherwise. */
async function preferred(port: number): Promise<number> {
  return (await canConnect(HOST, port, 300)) ? freePort() : port;
}

function persistentSecret(): string {
  const file = path.join(DATA, 'gateway-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** The demo member's key, kept in .data/ so restarts print the same one. */
async function demoMemberKey(db: Db): Promise<string> {
  const file = path.join(DATA, 'demo-key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (await findMemberByApiKey(db, key)) return key;
  }
  const member = (await findMemberByName(db, 'demo')) ?? (await createMember(db, 'demo'));
  const key = await createApiKey(db, member.id);
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

main().catch(async (err: unknown) => {
  process.stderr.write(`stack failed: ${err instanceof Error ? err.message : String(err)}\n`);
  await stopAll();
  process.exit(1);
});

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createDb, type Db } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { createApiKey, createMember, findMemberByApiKey, findMemberByName } from '../db/repositories/member.repository';
import {
  canConnect,
  type Child,
  freePort,
  isAlive,
  killAll,
  logSince,
  repoRoot,
  type ServiceDefinition,
  spawnChild,
  startMinio,
  startPostgres,
  startTemporal,
  stopAll,
  Supervisor,
} from './services';

const HOST = '127.0.0.1';
const ROOT = repoRoot();
/** A test (or a second, throwaway stack) points STACK_DATA_DIR at its own folder. */
const DATA = process.env.STACK_DATA_DIR ? path.resolve(process.env.STACK_DATA_DIR) : path.join(ROOT, '.data');
const LOGS = path.join(DATA, 'logs');
const PIDS = path.join(DATA, 'pids.json');
const log = (name: string) => path.join(LOGS, `${name}.log`);
const say = (msg: string) => process.stdout.write(`stack: ${msg}\n`);
/** Paths in messages as the operator typed them: relative to where `npm start` runs, when inside it. */
const shown = (file: string) => (file.startsWith(process.cwd() + path.sep) ? path.relative(process.cwd(), file) : file);
const supervisor = new Supervisor({ log: say, onChange: writePids });

/**
 * `npm start`: the whole platform on this machine, data kept in .data/ across restarts.
 * Each infrastructure part is skipped when its environment variable points elsewhere. Every part runs
 * under a supervisor: one that dies is restarted (same ports, same data) while the others keep serving.
 */
async function main(): Promise<void> {
  mkdirSync(LOGS, { recursive: true });
  claimDataFolder();
  stopOnSignals();

  const env: Record<string, string> = { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' };
  const [temporal, postgres, minio] = await Promise.all([
    process.env.TEMPORAL_ADDRESS ? null : superviseTemporal(),
    process.env.DATABASE_URL ? null : supervisePostgres(),
    process.env.S3_ENDPOINT ? null : superviseMinio(),
  ]);
  if (temporal) env.TEMPORAL_ADDRESS = temporal.address;
  if (postgres) env.DATABASE_URL = postgres.url;
  if (minio)
    Object.assign(env, { S3_ENDPOINT: minio.endpoint, S3_ACCESS_KEY: minio.accessKey, S3_SECRET_KEY: minio.secretKey });
  say('Temporal, PostgreSQL and MinIO are up');

  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...env,
    GATEWAY_SECRET: process.env.GATEWAY_SECRET ?? persistentSecret(),
    // Webhook receivers here listen on this machine: let deliveries reach loopback.
    WEBHOOK_ALLOW_PRIVATE: process.env.WEBHOOK_ALLOW_PRIVATE ?? 'true',
  };
  const db = createDb(childEnv.DATABASE_URL as string, 2);
  await migrateToLatest(db);
  const demoKey = await demoMemberKey(db);
  await db.destroy();

  const apiPort = process.env.API_PORT ? Number(process.env.API_PORT) : await preferred(8080);
  const apiUrl = `http://${HOST}:${apiPort}`;
  const demoPort = await freePort();
  const worker = nodeService({
    name: 'worker',
    entry: 'worker/main.js',
    env: childEnv,
    awaiting: 'the worker to poll',
    timeoutMs: 60_000,
    ready: (newLog) => newLog().includes('worker polling'),
  });
  const api = nodeService({
    name: 'api',
    entry: 'api/main.js',
    env: { ...childEnv, API_PORT: String(apiPort) },
    awaiting: 'the API to listen',
    timeoutMs: 30_000,
    ready: () => canConnect(HOST, apiPort),
  });
  await Promise.all([supervisor.add(worker), supervisor.add(api)]);
  await supervisor.add(
    nodeService({
      name: 'demo-provider',
      entry: 'demo-provider/cli.js',
      args: ['--port', String(demoPort)],
      env: childEnv,
      awaiting: 'the demo provider to listen',
      timeoutMs: 15_000,
      ready: () => canConnect(HOST, demoPort),
    }),
  );
  const agentArgs = ['--api-url', apiUrl, '--name', 'demo-rig', '--upstream', `http://${HOST}:${demoPort}`];
  await supervisor.add(
    nodeService({
      name: 'agent',
      entry: 'agent/cli.js',
      args: [...agentArgs, '--concurrency', '8'],
      env: { ...childEnv, INFERENCE_CLUB_KEY: demoKey },
      awaiting: 'the demo agent to register',
      timeoutMs: 15_000,
      ready: (newLog) => /^agent .* serving /m.test(newLog()),
    }),
  );

  process.stdout.write(`
inference.club is running (data in ${shown(DATA)}/, logs in ${shown(LOGS)}/, pids in ${shown(PIDS)})

  API            ${apiUrl}/v1        (OpenAPI: ${apiUrl}/openapi.json)
  Temporal UI    ${temporal?.uiUrl ?? `(external Temporal at ${childEnv.TEMPORAL_ADDRESS})`}
  Demo API key   ${demoKey}
  DATABASE_URL   ${childEnv.DATABASE_URL}

  The demo provider is a deterministic fixture (no model weights), served by the agent "demo-rig".
  Try:
    curl ${apiUrl}/v1/chat/completions -H "Authorization: Bearer ${demoKey}" \\
      -H "Content-Type: application/json" -d '{"model":"demo-chat","messages":[{"role":"user","content":"Say hello."}]}'

A part that dies is restarted. Ctrl-C stops everything (twice: kills everything at once).
`);
}

// Each infrastructure part restarts on the ports and data folder of its first start: the other parts were
// given its address, and its data must survive.

async function superviseTemporal() {
  const options = {
    dataDir: path.join(DATA, 'temporal'),
    sqlite: process.env.TEMPORAL_SQLITE === 'default' ? ('default' as const) : ('wal' as const),
    port: await preferred(7233),
    uiPort: await preferred(8233),
    logFile: log('temporal'),
    ownProcessGroup: true,
  };
  return supervisor.add({
    name: 'temporal',
    logFile: shown(options.logFile),
    start: (signal) => startTemporal({ ...options, signal }),
  });
}

async function supervisePostgres() {
  const options = {
    dataDir: path.join(DATA, 'postgres'),
    port: await freePort(),
    logFile: log('postgres'),
    ownProcessGroup: true,
  };
  return supervisor.add({
    name: 'postgres',
    logFile: shown(options.logFile),
    start: (signal) => startPostgres({ ...options, signal }),
  });
}

async function superviseMinio() {
  const options = {
    dataDir: path.join(DATA, 'minio'),
    port: await freePort(),
    consolePort: await freePort(),
    logFile: log('minio'),
    ownProcessGroup: true,
  };
  return supervisor.add({
    name: 'minio',
    logFile: shown(options.logFile),
    start: (signal) => startMinio({ ...options, signal }),
  });
}

interface NodeService {
  name: string;
  /** The compiled entry point, under dist/. */
  entry: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  /** For the timeout message: "the API to listen". */
  awaiting: string;
  timeoutMs: number;
  /** newLog reads what the process has logged since this start (not what earlier runs left in the file). */
  ready(newLog: () => string): boolean | Promise<boolean>;
}

/** One of this repository's entry points, counted as started once ready() says so, on every start. */
function nodeService(svc: NodeService): ServiceDefinition<Child> {
  const logFile = log(svc.name);
  return {
    name: svc.name,
    logFile: shown(logFile),
    async start(signal) {
      const newLog = logSince(logFile);
      const child = await spawnChild({
        name: svc.name,
        command: process.execPath,
        args: [path.join(ROOT, 'dist', svc.entry), ...(svc.args ?? [])],
        logFile,
        env: svc.env,
        signal,
        ownProcessGroup: true,
      });
      try {
        await child.waitFor(() => svc.ready(newLog), { timeoutMs: svc.timeoutMs, what: svc.awaiting });
      } catch (err) {
        await child.stop();
        throw err;
      }
      return child;
    },
  };
}

/**
 * Children run in their own process groups, so Ctrl-C reaches only this process, which stops them in
 * order (agent, demo provider, API, worker, then the infrastructure). A second Ctrl-C kills them at once.
 */
function stopOnSignals(): void {
  const onSignal = (): void => {
    if (supervisor.stopping) {
      say('killing everything');
      killAll();
      process.exit(130);
    }
    say('stopping... (Ctrl-C again kills everything at once)');
    void supervisor
      .stop()
      .then(stopAll)
      .then(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // Whatever ends this process, no child outlives it.
  process.once('exit', killAll);
}

/** Each part's current pid (null while it restarts), for operators and tests that need to find a process. */
function writePids(pids: Readonly<Record<string, number | null>>): void {
  const temp = `${PIDS}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ stack: process.pid, ...pids }, null, 2)}\n`);
  renameSync(temp, PIDS); // readers never see half a file
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
    for (const file of [lock, PIDS]) {
      if (existsSync(file) && ownedByUs(file)) unlinkSync(file);
    }
  });
}

function ownedByUs(file: string): boolean {
  try {
    const text = readFileSync(file, 'utf8');
    if (file !== PIDS) return text === String(process.pid);
    return (JSON.parse(text) as { stack?: number }).stack === process.pid;
  } catch {
    return false;
  }
}

/**
 * The conventional port when it is free, so bookmarks keep working; any free port otherwise, and always
 * for a stack in its own data folder (a test's stack must not take the ports a developer's stack wants).
 */
async function preferred(port: number): Promise<number> {
  if (process.env.STACK_DATA_DIR) return freePort();
  return (await canConnect(HOST, port, 300)) ? freePort() : port;
}

function persistentSecret(): string {
  const file = path.join(DATA, 'gateway-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** The demo member's key, kept in the data folder so restarts print the same one. */
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
  if (supervisor.stopping) return; // Ctrl-C while starting: the signal handler is already stopping everything.
  process.stderr.write(`stack failed: ${err instanceof Error ? err.message : String(err)}\n`);
  await supervisor.stop();
  await stopAll();
  process.exit(1);
});

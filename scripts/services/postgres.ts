import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnChild, type RunningProcess, type SpawnControl } from './child';
import { run, runChecked } from './exec';
import { freePort, retryPortClash } from './ports';
import type { Owner } from './postgres-dirs';
import { resolveBase, serverOwner } from './postgres-dirs';
import { clearStale } from './postgres-stale';
import { postgresBinDir } from './tools';

export interface PostgresOptions extends SpawnControl {
  /** Holds the cluster (pgdata/) and its generated credentials; reused when it already exists. */
  dataDir: string;
  port?: number;
  logFile: string;
  startTimeoutMs?: number;
}

export interface PostgresServer {
  /** postgres://user:password@127.0.0.1:port/inference */
  url: string;
  /** Where the cluster really lives: dataDir, or a fallback when the postgres user cannot reach it. */
  dataDir: string;
  /** The server process (for supervision and tests). */
  pid: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const ROLE = 'inference';
const DATABASE = 'inference';

/** The environment without PG* variables, so the caller's settings can't redirect the client tools. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PG')));
  return { ...env, ...extra };
}

async function initCluster(bin: string, base: string, pgdata: string, owner: Owner | null): Promise<string> {
  const password = crypto.randomBytes(24).toString('base64url');
  fs.mkdirSync(pgdata, { recursive: true, mode: 0o700 });
  const pwfile = path.join(base, `.pwfile-${process.pid}`);
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner) {
    fs.chownSync(pgdata, owner.uid, owner.gid);
    fs.chownSync(pwfile, owner.uid, owner.gid);
  }
  try {
    await runChecked(
      path.join(bin, 'initdb'),
      [
        '-D',
        pgdata,
        '--username',
        ROLE,
        '--pwfile',
        pwfile,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        '--no-locale',
      ],
      { uid: owner?.uid, gid: owner?.gid, cwd: base, env: cleanEnv(), timeoutMs: 120_000 },
    );
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
  return password;
}

/** Starts PostgreSQL on 127.0.0.1 (initialising the cluster on first use) and makes sure the database exists. */
export function startPostgres(opts: PostgresOptions): Promise<PostgresServer & RunningProcess> {
  return retryPortClash(() => launchPostgres(opts), opts.port === undefined ? 3 : 1);
}

async function launchPostgres(opts: PostgresOptions): Promise<PostgresServer & RunningProcess> {
  const bin = postgresBinDir();
  const owner = serverOwner();
  const base = resolveBase(opts.dataDir, owner);
  const pgdata = path.join(base, 'pgdata');
  const credentialsFile = path.join(base, 'credentials.json');

  let password: string;
  if (fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    if (!fs.existsSync(credentialsFile)) throw new Error(`${credentialsFile} is missing; cannot log in to ${pgdata}`);
    password = (JSON.parse(fs.readFileSync(credentialsFile, 'utf8')) as { password: string }).password;
    await clearStale(pgdata);
  } else {
    password = await initCluster(bin, base, pgdata, owner);
    fs.writeFileSync(credentialsFile, JSON.stringify({ user: ROLE, password }, null, 2), { mode: 0o600 });
  }

  const port = opts.port ?? (await freePort(HOST));
  const child = await spawnChild({
    name: 'postgres',
    command: path.join(bin, 'postgres'),
    // No unix socket: clients use TCP, and socket paths under deep temp dirs overflow the 107-byte limit.
    args: ['-D', pgdata, '-c', `listen_addresses=${HOST}`, '-c', `port=${port}`, '-c', 'unix_socket_directories='],
    logFile: opts.logFile,
    env: cleanEnv(),
    cwd: base,
    uid: owner?.uid,
    gid: owner?.gid,
    stopSignal: 'SIGINT', // fast shutdown: disconnect clients, checkpoint, exit
    graceMs: 30_000,
    signal: opts.signal,
    ownProcessGroup: opts.ownProcessGroup,
  });

  const clientEnv = cleanEnv({ PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' });
  const conn = ['-h', HOST, '-p', String(port), '-U', ROLE];
  try {
    await child.waitFor(
      async () => (await run(path.join(bin, 'pg_isready'), [...conn, '-d', 'postgres'], { env: clientEnv })).code === 0,
      { timeoutMs: opts.startTimeoutMs ?? 60_000, what: `Postgres on ${HOST}:${port}` },
    );
    const exists = await runChecked(
      path.join(bin, 'psql'),
      [...conn, '-d', 'postgres', '-tAc', `select 1 from pg_database where datname = '${DATABASE}'`],
      { env: clientEnv },
    );
    if (exists.trim() !== '1') await runChecked(path.join(bin, 'createdb'), [...conn, DATABASE], { env: clientEnv });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return {
    url: `postgres://${ROLE}:${encodeURIComponent(password)}@${HOST}:${port}/${DATABASE}`,
    dataDir: base,
    pid: child.pid,
    exit: child.exit,
    stop: () => child.stop(),
  };
}

import fs from 'node:fs';
import path from 'node:path';
import { spawnChild, type RunningProcess, type SpawnControl } from './child';
import { run } from './exec';
import { freePort, retryPortClash } from './ports';
import { temporalBin } from './tools';
import { SEARCH_ATTRIBUTES as SEARCH_ATTRIBUTE_NAMES } from '../../workflows/search-attributes';

/**
 * Custom search attributes every namespace of this project carries (operators filter on them):
 * the one registry in workflows/search-attributes.ts, as `Name: Type` for the server.
 */
export const SEARCH_ATTRIBUTES: Readonly<Record<string, 'Keyword'>> = Object.fromEntries(
  Object.values(SEARCH_ATTRIBUTE_NAMES).map((name) => [name, 'Keyword' as const]),
);

export interface TemporalOptions extends SpawnControl {
  /** Keeps history in <dataDir>/temporal.db across restarts; without it the server is in-memory. */
  dataDir?: string;
  port?: number;
  uiPort?: number;
  headless?: boolean;
  /**
   * The SQLite pragmas of a persistent server (`dataDir`): `wal` (the default: write-ahead log with
   * `synchronous=normal`, which loses nothing when a process is killed, only the last commits on a
   * power cut) or `default` (SQLite's rollback journal and a sync on every commit).
   */
  sqlite?: 'wal' | 'default';
  /** Extra `KEY=VALUE` dynamic config values, after LATENCY_TUNING. */
  dynamicConfig?: string[];
  logFile: string;
  startTimeoutMs?: number;
}

export interface TemporalServer {
  /** gRPC frontend, host:port. */
  address: string;
  uiUrl: string | null;
  /** The server process (for supervision and tests). */
  pid: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/** The environment without TEMPORAL_* variables, so the caller's settings can't redirect the CLI. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TEMPORAL_')));
}

/**
 * Also in config/temporal/dynamicconfig.yaml for docker-compose.yml (a test keeps them equal).
 * The dev server's defaults are tuned for throughput, not latency: the transfer queue is read at
 * 20 polls/s per shard (each hand-off to a waiting worker or agent can wait up to 50 ms), and four
 * task-queue partitions let a task land where no poller waits. Measured by `npm run bench`:
 * sync chat p50 overhead 150 ms with the defaults, about 20 ms with these.
 */
export const LATENCY_TUNING = [
  'history.transferProcessorMaxPollRPS=1000',
  'matching.numTaskqueueReadPartitions=1',
  'matching.numTaskqueueWritePartitions=1',
  // The API runs a worker and starts inference workflows eagerly (its first task rides on the start answer).
  'system.enableEagerWorkflowStart=true',
  // A workflow's own platform activity (the request's record) runs on the worker that scheduled it.
  'system.enableActivityEagerExecution=true',
];

/** Runs `temporal server start-dev` and resolves once the frontend answers with the search attributes in place. */
export function startTemporal(opts: TemporalOptions): Promise<TemporalServer & RunningProcess> {
  const picksPorts = opts.port === undefined || (!opts.headless && opts.uiPort === undefined);
  return retryPortClash(() => launchTemporal(opts), picksPorts ? 3 : 1);
}

async function launchTemporal(opts: TemporalOptions): Promise<TemporalServer & RunningProcess> {
  const bin = temporalBin();
  const port = opts.port ?? (await freePort(HOST));
  const uiPort = opts.headless ? null : (opts.uiPort ?? (await freePort(HOST)));
  const address = `${HOST}:${port}`;
  const args = ['server', 'start-dev', '--ip', HOST, '--port', String(port), '--log-level', 'warn'];
  args.push(...(uiPort === null ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (opts.dataDir) {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    args.push('--db-filename', path.join(opts.dataDir, 'temporal.db'));
    if ((opts.sqlite ?? 'wal') === 'wal') {
      args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
    }
  }
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  for (const value of [...LATENCY_TUNING, ...(opts.dynamicConfig ?? [])]) args.push('--dynamic-config-value', value);

  const env = cleanEnv();
  const child = await spawnChild({
    name: 'temporal',
    command: bin,
    args,
    logFile: opts.logFile,
    env,
    signal: opts.signal,
    ownProcessGroup: opts.ownProcessGroup,
  });
  try {
    const ready = async (): Promise<boolean> => (await listSearchAttributes(address, env)).length > 0;
    await child.waitFor(ready, {
      timeoutMs: opts.startTimeoutMs ?? 60_000,
      what: `the Temporal frontend on ${address}`,
      intervalMs: 300,
    });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return {
    address,
    uiUrl: uiPort === null ? null : `http://${HOST}:${uiPort}`,
    pid: child.pid,
    exit: child.exit,
    stop: () => child.stop(),
  };
}

/**
 * Names of the custom search attributes registered in a namespace; throws while the frontend is not
 * answering or when one of ours is still missing.
 */
export async function listSearchAttributes(
  address: string,
  env: NodeJS.ProcessEnv = cleanEnv(),
  namespace = 'default',
): Promise<string[]> {
  const result = await run(
    temporalBin(),
    [
      'operator',
      'search-attribute',
      'list',
      '--address',
      address,
      '--namespace',
      namespace,
      '--output',
      'json',
      '--command-timeout',
      '5s',
    ],
    { env, timeoutMs: 10_000 },
  );
  if (result.code !== 0) throw new Error(result.stderr.trim() || `temporal exited with ${result.code}`);
  const parsed = JSON.parse(result.stdout) as { customAttributes?: Record<string, unknown> };
  const names = Object.keys(parsed.customAttributes ?? {});
  const missing = Object.keys(SEARCH_ATTRIBUTES).filter((n) => !names.includes(n));
  if (missing.length > 0) throw new Error(`search attributes not registered yet: ${missing.join(', ')}`);
  return names;
}

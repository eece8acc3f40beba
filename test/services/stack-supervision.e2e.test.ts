import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, repoRoot } from '../../scripts/services';
import { waitUntil } from '../support/processes';

/**
 * `npm start`'s stack as an operator meets it: every part is SIGKILLed in turn, and each time the stack
 * logs the death and the restart, and a chat request works again. The stack is its own, in its own data
 * folder, on free ports: the suite's shared Temporal, Postgres and MinIO are never touched.
 */

jest.setTimeout(300_000);

const ROOT = repoRoot();
const PARTS = ['worker', 'api', 'agent', 'demo-provider', 'temporal', 'postgres', 'minio'] as const;

let data: string;
let stack: ChildProcess | null = null;
let output = '';
/** Every process the stack ever reported (pid to start time), to check none outlives it. */
const seen = new Map<number, string>();

/** A running process's start time, which tells it apart from a later one given the same pid; null once it is gone. */
function startTime(pid: number): string | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // A zombie is gone: orphans (a killed postmaster's backends) wait for init to reap them.
    return fields[0] === 'Z' ? null : fields[19];
  } catch {
    return null;
  }
}

const alive = (pid: number): boolean => startTime(pid) !== null;
const stillRunning = (pid: number): boolean => startTime(pid) === seen.get(pid);

function pids(): Record<string, number | null> {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(data, 'pids.json'), 'utf8')) as Record<string, number | null>;
    for (const pid of Object.values(parsed)) {
      const started = pid ? startTime(pid) : null;
      if (pid && started && !seen.has(pid)) seen.set(pid, started);
    }
    return parsed;
  } catch {
    return {}; // not written yet
  }
}

/** Processes still working in the data folder: Postgres backends chdir there, the servers name it. */
function leftovers(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
        const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        return cwd.startsWith(data) || cmdline.includes(data);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function chat(api: string, key: string): Promise<number> {
  try {
    const res = await fetch(`${api}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'hi' }] }),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** A chat request answers 200 within a minute; 5xx while a dependency is still down is fine. */
async function chatRecovers(api: string, key: string, after: string): Promise<void> {
  let status = 0;
  await waitUntil(async () => (status = await chat(api, key)) === 200, `a chat to work again after ${after}`, 60_000);
  expect(status).toBe(200);
}

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'scripts', 'stack.js'))) {
    throw new Error('dist/scripts/stack.js is missing: run `npm run build` first');
  }
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-supervision-'));
  // As root Postgres runs as its own user, which must reach its folder (mkdtemp makes it 700).
  fs.chmodSync(data, 0o755);
});

afterAll(() => {
  if (!data) return;
  // Only when the test failed half-way: nothing of this stack may survive the run.
  if (stack && stack.exitCode === null && stack.signalCode === null) stack.kill('SIGKILL');
  const kill = (pid: number): void => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  };
  for (const pid of [...Object.values(pids()), ...seen.keys()]) if (pid && stillRunning(pid)) kill(pid);
  leftovers().forEach(kill);
  if (process.env.KEEP_TEST_DIR) process.stdout.write(`stack data kept in ${data}\n`);
  else fs.rmSync(data, { recursive: true, force: true });
});

test('every part of the stack is restarted after a SIGKILL, and SIGTERM stops them all', async () => {
  const apiPort = await freePort();
  // Only what a shell would have: the suite's DATABASE_URL, TEMPORAL_ADDRESS, S3_* must not leak in.
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    STACK_DATA_DIR: data,
    API_PORT: String(apiPort),
    LOG_LEVEL: 'warn',
  };
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist', 'scripts', 'stack.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack = proc;
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  /** Waits like waitUntil, failing with the stack's output, and at once if the stack is gone. */
  const waitFor = async (check: () => boolean, what: string, timeoutMs: number): Promise<void> => {
    try {
      await waitUntil(() => check() || proc.exitCode !== null, what, timeoutMs);
      if (!check()) throw new Error(`the stack exited (${proc.exitCode}) while waiting for ${what}`);
    } catch (err) {
      throw new Error(`${(err as Error).message}; stack output:\n${output}`);
    }
  };

  await waitFor(() => /Demo API key\s+ic_\S+/.test(output), 'the banner', 120_000);
  const api = /API\s+(http:\/\/127\.0\.0\.1:\d+\/v1)\s/.exec(output)?.[1];
  const key = /Demo API key\s+(ic_\S+)/.exec(output)?.[1];
  expect({ api, key: Boolean(key) }).toEqual({ api: `http://127.0.0.1:${apiPort}/v1`, key: true });
  expect(Object.keys(pids()).sort()).toEqual(['stack', ...PARTS].sort());
  await chatRecovers(api as string, key as string, 'the start');

  for (const part of PARTS) {
    // A part an earlier kill took down with it (the API when Postgres died) may still be restarting.
    await waitFor(() => Boolean(pids()[part]), `${part} to be running`, 90_000);
    const before = pids()[part] as number;
    expect(alive(before)).toBe(true);
    const from = output.length;
    const news = () => output.slice(from);
    process.kill(before, 'SIGKILL');
    await waitFor(() => news().includes(`stack: ${part} is back up`), `${part} to be back up`, 90_000);
    expect(news()).toMatch(
      new RegExp(
        `^stack: ${part} exited \\(signal SIGKILL\\); restarting in [\\d.]+ m?s \\(see .*${part}\\.log\\)$`,
        'm',
      ),
    );
    const after = pids()[part] as number;
    expect(after).not.toBe(before);
    expect(alive(after)).toBe(true);
    await chatRecovers(api as string, key as string, `killing ${part}`);
  }

  proc.kill('SIGTERM');
  await waitUntil(() => proc.exitCode !== null || proc.signalCode !== null, 'the stack to stop', 90_000);
  expect(await exited).toBe(0);
  expect(output).toMatch(/^stack: stopping/m);
  // A death during shutdown is expected, not a crash to restart.
  expect(output.slice(output.indexOf('stack: stopping'))).not.toMatch(/restarting in|back up/);
  const survivors = [...seen.keys()].filter(stillRunning);
  expect(survivors).toEqual([]);
  await waitUntil(() => leftovers().length === 0, 'the Postgres backends to exit', 10_000);
  expect(fs.existsSync(path.join(data, 'pids.json'))).toBe(false);
});

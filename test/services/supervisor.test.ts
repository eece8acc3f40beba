import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  freePort,
  isAlive,
  logSince,
  minioLive,
  spawnChild,
  startMinio,
  stopAll,
  Supervisor,
  type Child,
  type ServiceDefinition,
} from '../../scripts/services';
import { waitUntil } from '../support/processes';

jest.setTimeout(60_000);

let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'supervisor-test-'));
});

/** Every supervisor made here: one a failed test left running must not restart anything after the run. */
const supervisors: Supervisor[] = [];

afterAll(async () => {
  await Promise.all(supervisors.map((sup) => sup.stop()));
  await stopAll();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const alive = isAlive;

/**
 * A tiny service: a node process that crashes at once (code 3) while `<dir>/crash` exists, and otherwise
 * prints "ready" once `<dir>/gate` exists, then stays up. Readiness is the "ready" line of this start.
 */
interface Fake {
  def: ServiceDefinition<Child>;
  /** When each start began. */
  starts: number[];
  /** The processes started, in order. */
  children: Child[];
  set(file: 'crash' | 'gate', on: boolean): void;
}

const SCRIPT = `
const fs = require('node:fs');
const dir = process.argv[1];
if (fs.existsSync(dir + '/crash')) process.exit(3);
const timer = setInterval(() => {
  if (fs.existsSync(dir + '/gate')) { console.log('ready'); clearInterval(timer); setInterval(() => {}, 1000); }
}, 10);
`;

let fakes = 0;
function fake(name: string): Fake {
  const dir = path.join(tmp, `${name}-${++fakes}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'gate'), '');
  const logFile = path.join(dir, 'log');
  const result: Fake = {
    starts: [],
    children: [],
    set(file, on) {
      if (on) fs.writeFileSync(path.join(dir, file), '');
      else fs.rmSync(path.join(dir, file), { force: true });
    },
    def: {
      name,
      logFile,
      async start(signal) {
        result.starts.push(Date.now());
        const newLog = logSince(logFile);
        const child = await spawnChild({ name, command: process.execPath, args: ['-e', SCRIPT, dir], logFile, signal });
        result.children.push(child);
        try {
          await child.waitFor(() => /^ready$/m.test(newLog()), {
            timeoutMs: 30_000,
            what: `${name} ready`,
            intervalMs: 10,
          });
        } catch (err) {
          await child.stop();
          throw err;
        }
        return child;
      },
    },
  };
  return result;
}

/** A supervisor whose messages are kept, with backoffs short enough for tests. */
function supervisor(opts: { initialDelayMs?: number; maxDelayMs?: number; stableAfterMs?: number } = {}) {
  const messages: string[] = [];
  const changes: Record<string, number | null>[] = [];
  const sup = new Supervisor({
    initialDelayMs: 50,
    maxDelayMs: 400,
    stableAfterMs: 60_000,
    ...opts,
    log: (m) => messages.push(m),
    onChange: (pids) => changes.push({ ...pids }),
  });
  supervisors.push(sup);
  const said = (pattern: RegExp): number => messages.filter((m) => pattern.test(m)).length;
  return { sup, messages, changes, said };
}

const last = <T>(items: T[]): T => items[items.length - 1];

describe('Supervisor', () => {
  test('restarts a process that dies, with a backoff that doubles up to its cap', async () => {
    const { sup, messages, said } = supervisor();
    const svc = fake('doubling');
    const first = await sup.add(svc.def);
    expect(sup.pids()).toEqual({ doubling: first.pid });
    try {
      const delays = [50, 100, 200, 400, 400];
      for (const [i, delay] of delays.entries()) {
        const victim = last(svc.children);
        const killedAt = Date.now();
        process.kill(victim.pid, 'SIGKILL');
        await waitUntil(() => said(/^doubling is back up/) === i + 1, `restart ${i + 1}`);
        expect(messages[2 * i]).toBe(
          `doubling exited (signal SIGKILL); restarting in ${delay} ms (see ${svc.def.logFile})`,
        );
        expect(svc.starts[i + 1] - killedAt).toBeGreaterThanOrEqual(delay - 5);
        const now = last(svc.children);
        expect(now.pid).not.toBe(victim.pid);
        expect(alive(now.pid)).toBe(true);
        expect(sup.pids()).toEqual({ doubling: now.pid });
        expect(messages[2 * i + 1]).toBe(`doubling is back up (pid ${now.pid})`);
      }
      // The other processes (here: none) were never touched, and each death was one restart.
      expect(svc.starts).toHaveLength(delays.length + 1);
    } finally {
      await sup.stop();
    }
  });

  test('counts a restart as up only once its readiness check passes on lines of this start', async () => {
    const { sup, changes, said } = supervisor();
    const svc = fake('gated');
    const other = fake('bystander');
    await sup.add(svc.def);
    const bystander = await sup.add(other.def);
    try {
      svc.set('gate', false);
      process.kill(svc.children[0].pid, 'SIGKILL');
      await waitUntil(() => svc.children.length === 2, 'the restart to spawn');
      // The log still holds the first run's "ready", and the new process runs, but it is not ready yet.
      await waitUntil(() => changes.some((c) => c.gated === null), 'the death to be reported');
      expect(said(/back up/)).toBe(0);
      expect(sup.pids()).toEqual({ gated: null, bystander: bystander.pid });
      expect(alive(svc.children[1].pid)).toBe(true);

      svc.set('gate', true);
      await waitUntil(() => said(/^gated is back up/) === 1, 'the restarted process to be ready');
      expect(sup.pids()).toEqual({ gated: svc.children[1].pid, bystander: bystander.pid });
      expect(last(changes)).toEqual(sup.pids());
      expect(alive(bystander.pid)).toBe(true);
      expect(other.starts).toHaveLength(1);
    } finally {
      await sup.stop();
    }
  });

  test('a process that keeps crashing keeps backing off, and comes back once it can', async () => {
    const { sup, messages, said } = supervisor();
    const svc = fake('crashy');
    await sup.add(svc.def);
    try {
      svc.set('crash', true);
      process.kill(svc.children[0].pid, 'SIGKILL');
      await waitUntil(() => said(/did not come back/) >= 5, 'five failed restarts', 30_000);
      svc.set('crash', false);
      await waitUntil(() => said(/^crashy is back up/) === 1, 'the restart that works', 30_000);

      expect(messages[0]).toMatch(/^crashy exited \(signal SIGKILL\); restarting in 50 ms/);
      const retries = messages.filter((m) => m.includes('did not come back'));
      expect(retries.slice(0, 5).map((m) => /retrying in (\d+) ms/.exec(m)?.[1])).toEqual([
        '100',
        '200',
        '400',
        '400',
        '400',
      ]);
      expect(retries[0]).toMatch(/^crashy did not come back \(crashy exited \(code 3\) while waiting for crashy ready/);
      // Each attempt waited at least its backoff after the one before.
      const gaps = svc.starts.slice(2).map((t, i) => t - svc.starts[i + 1]);
      [100, 200, 400, 400].forEach((delay, i) => expect(gaps[i]).toBeGreaterThanOrEqual(delay - 5));
    } finally {
      await sup.stop();
    }
  });

  test('the backoff starts over once a process has stayed up for stableAfterMs', async () => {
    const { sup, messages, said } = supervisor({ stableAfterMs: 500 });
    const svc = fake('steady');
    await sup.add(svc.def);
    try {
      for (let i = 1; i <= 2; i++) {
        process.kill(last(svc.children).pid, 'SIGKILL');
        await waitUntil(() => said(/back up/) === i, `restart ${i}`);
      }
      const upAt = Date.now();
      await waitUntil(() => Date.now() - upAt > 600, 'the process to have been up a while');
      process.kill(last(svc.children).pid, 'SIGKILL');
      await waitUntil(() => said(/back up/) === 3, 'restart 3');
      const delays = messages.filter((m) => m.includes('exited')).map((m) => /restarting in (\d+) ms/.exec(m)?.[1]);
      expect(delays).toEqual(['50', '100', '50']);
    } finally {
      await sup.stop();
    }
  });

  test('stop() stops the processes last added first, one after the other, and restarts nothing', async () => {
    const { sup, messages } = supervisor();
    const order: string[] = [];
    const defs = ['infra', 'worker', 'agent'].map((name) => {
      const { def } = fake(name);
      return {
        ...def,
        start: async (signal: AbortSignal) => {
          const child = await def.start(signal);
          return {
            pid: child.pid,
            exit: child.exit,
            stop: async () => {
              order.push(`${name} stopping`);
              await child.stop();
              order.push(`${name} gone`);
            },
          };
        },
      };
    });
    const procs = [];
    for (const def of defs) procs.push(await sup.add(def));
    await sup.stop();
    expect(order).toEqual([
      'agent stopping',
      'agent gone',
      'worker stopping',
      'worker gone',
      'infra stopping',
      'infra gone',
    ]);
    for (const proc of procs) expect(alive(proc.pid)).toBe(false);
    expect(messages).toEqual([]);
    expect(sup.stopping).toBe(true);
    await expect(sup.add(fake('late').def)).rejects.toThrow(/stopping/);
  });

  test('stop() during a backoff wait ends it without restarting', async () => {
    const { sup, messages } = supervisor({ initialDelayMs: 60_000 });
    const svc = fake('waiting');
    await sup.add(svc.def);
    process.kill(svc.children[0].pid, 'SIGKILL');
    await waitUntil(() => messages.length === 1, 'the death to be logged');
    expect(messages[0]).toMatch(/restarting in 60 s/);
    const began = Date.now();
    await sup.stop();
    expect(Date.now() - began).toBeLessThan(5000);
    expect(svc.starts).toHaveLength(1);
    expect(messages).toHaveLength(1);
  });

  test('stop() aborts a restart still waiting for readiness and stops its process', async () => {
    const { sup, messages } = supervisor();
    const svc = fake('slow');
    await sup.add(svc.def);
    svc.set('gate', false);
    process.kill(svc.children[0].pid, 'SIGKILL');
    await waitUntil(() => svc.children.length === 2, 'the restart to spawn');
    const restarting = svc.children[1];
    await sup.stop();
    await restarting.exit;
    expect(alive(restarting.pid)).toBe(false);
    expect(messages.filter((m) => /back up|did not come back/.test(m))).toEqual([]);
  });

  test('a first start that fails is reported, not retried', async () => {
    const { sup, messages } = supervisor();
    const svc = fake('broken');
    svc.set('crash', true);
    await expect(sup.add(svc.def)).rejects.toThrow(/broken exited \(code 3\)/);
    expect(svc.starts).toHaveLength(1);
    expect(sup.pids()).toEqual({});
    await sup.stop();
    expect(messages).toEqual([]);
  });

  test('an infrastructure restart waits for its port to be free again rather than moving', async () => {
    const { sup, messages, said } = supervisor({ initialDelayMs: 300 });
    const options = { dataDir: path.join(tmp, 'minio'), logFile: path.join(tmp, 'minio.log') };
    const ports = { port: await freePort(), consolePort: await freePort() };
    const first = await sup.add({ name: 'minio', start: (signal) => startMinio({ ...options, ...ports, signal }) });
    // It hangs up at once: the readiness probes it answers must not keep it from closing.
    const squatter = net.createServer((socket) => socket.destroy());
    try {
      process.kill(first.pid, 'SIGKILL');
      await waitUntil(() => said(/^minio exited/) === 1, 'the death to be logged');
      await new Promise<void>((resolve, reject) => {
        squatter.once('error', reject);
        squatter.listen(ports.port, '127.0.0.1', resolve);
      });
      await waitUntil(() => said(/^minio did not come back/) > 0, 'a restart to find the port taken', 30_000);
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
      await waitUntil(() => said(/^minio is back up/) === 1, 'the restart once the port is free', 30_000);
      expect(messages.find((m) => m.includes('did not come back'))).toMatch(/retrying in \d+ ms/);
      expect(await minioLive(first.endpoint)).toBe(true);
      expect(sup.pids().minio).not.toBe(first.pid);
    } finally {
      if (squatter.listening) squatter.close();
      await sup.stop();
    }
  });
});

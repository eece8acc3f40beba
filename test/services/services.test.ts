import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { QueryResultRow } from 'pg';
import {
  canConnect,
  freePort,
  listSearchAttributes,
  minioLive,
  retryPortClash,
  SEARCH_ATTRIBUTES,
  spawnChild,
  startMinio,
  startPostgres,
  startTemporal,
  stopAll,
} from '../../scripts/services';
import { waitUntil } from '../support/processes';

jest.setTimeout(120_000);

let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'services-test-'));
  // As root the postgres user must be able to traverse the folder (mkdtemp makes it 700).
  fs.chmodSync(tmp, 0o755);
});

afterAll(async () => {
  await stopAll();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** No such process, or a zombie: orphans (a killed postmaster's backends) wait for init to reap them. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return true;
  }
}

async function query<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function rows<T extends QueryResultRow>(url: string, sql: string): Promise<T[]> {
  return query(url, async (db) => (await db.query<T>(sql)).rows);
}

describe('child processes', () => {
  test('waitFor reports the log tail when the child exits early', async () => {
    const logFile = path.join(tmp, 'early.log');
    const child = await spawnChild({
      name: 'early',
      command: 'sh',
      args: ['-c', 'echo boom-from-child; exit 3'],
      logFile,
    });
    await expect(child.waitFor(() => false, { timeoutMs: 5000, what: 'nothing' })).rejects.toThrow(
      /early exited \(code 3\)[\s\S]*^boom-from-child$/m,
    );
  });

  test('waitFor times out with the log tail', async () => {
    const logFile = path.join(tmp, 'slow.log');
    const child = await spawnChild({
      name: 'slow',
      command: 'sh',
      args: ['-c', 'echo still-here; exec sleep 30'],
      logFile,
    });
    await expect(child.waitFor(() => false, { timeoutMs: 300, what: 'a miracle', intervalMs: 50 })).rejects.toThrow(
      /Timed out after 300 ms waiting for a miracle[\s\S]*^still-here$/m,
    );
    await child.stop();
    expect(child.exited).toBe(true);
  });

  test('stop escalates to SIGKILL when the child ignores its stop signal', async () => {
    const child = await spawnChild({
      name: 'stubborn',
      command: process.execPath,
      args: ['-e', 'process.on("SIGTERM", () => {}); console.log("armed"); setInterval(() => {}, 1000);'],
      logFile: path.join(tmp, 'stubborn.log'),
      graceMs: 300,
    });
    await child.waitFor(() => /^armed$/m.test(fs.readFileSync(child.logFile, 'utf8')), {
      timeoutMs: 5000,
      what: 'the trap',
      intervalMs: 20,
    });
    await child.stop();
    expect((await child.exit).signal).toBe('SIGKILL');
    expect(gone(child.pid)).toBe(true);
  });

  test('a missing command fails clearly', async () => {
    await expect(
      spawnChild({
        name: 'ghost',
        command: path.join(tmp, 'no-such-binary'),
        args: [],
        logFile: path.join(tmp, 'ghost.log'),
      }),
    ).rejects.toThrow(/ghost: cannot start/);
  });

  test('freePort returns a bindable port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await canConnect('127.0.0.1', port)).toBe(false);
  });

  test('freePort never hands out the same port twice, though the kernel may offer a closed port again', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 500; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });

  test('retryPortClash starts again after a port clash, and only then', async () => {
    const clash = new Error('temporal exited (code 1): listen tcp 127.0.0.1:36995: bind: address already in use');
    let calls = 0;
    const flaky = (): Promise<string> => (++calls < 3 ? Promise.reject(clash) : Promise.resolve('up'));
    await expect(retryPortClash(flaky)).resolves.toBe('up');
    expect(calls).toBe(3);

    calls = 0;
    const clashing = (): Promise<string> => (++calls, Promise.reject(clash));
    await expect(retryPortClash(clashing, 2)).rejects.toBe(clash);
    expect(calls).toBe(2);

    calls = 0;
    const earlierRun = new Error(
      'minio exited (code 1). Last lines of minio.log:\n--- 2026-11-21T10:00:00Z minio server\n' +
        'listen tcp 127.0.0.1:9000: bind: address already in use\n--- 2026-11-22T10:00:00Z minio server\n' +
        'FATAL: drive is not writable',
    );
    await expect(retryPortClash(() => (++calls, Promise.reject(earlierRun)))).rejects.toBe(earlierRun);
    expect(calls).toBe(1);

    calls = 0;
    const broken = new Error('postgres exited (code 1): FATAL: data directory has invalid permissions');
    await expect(retryPortClash(() => (++calls, Promise.reject(broken)))).rejects.toBe(broken);
    expect(calls).toBe(1);
  });
});

describe('postgres', () => {
  test('starts, answers, stops, and keeps its data across restarts', async () => {
    const dataDir = path.join(tmp, 'postgres');
    const logFile = path.join(tmp, 'postgres.log');
    const first = await startPostgres({ dataDir, logFile });
    expect(first.url).toMatch(/^postgres:\/\/inference:[^@]+@127\.0\.0\.1:\d+\/inference$/);
    await query(first.url, async (db) => {
      expect((await db.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      await db.query('create table survivor (name text)');
      await db.query("insert into survivor values ('still here')");
    });
    await first.stop();
    expect(gone(first.pid)).toBe(true);
    expect(fs.existsSync(path.join(first.dataDir, 'pgdata', 'postmaster.pid'))).toBe(false);

    const second = await startPostgres({ dataDir, logFile });
    try {
      expect(await rows(second.url, 'select name from survivor')).toEqual([{ name: 'still here' }]);
    } finally {
      await second.stop();
    }
    expect(gone(second.pid)).toBe(true);
  });
});

describe('postgres edge cases', () => {
  test('a postmaster left running on the data dir is stopped before a new start', async () => {
    const dataDir = path.join(tmp, 'postgres-stale');
    const logFile = path.join(tmp, 'postgres-stale.log');
    const orphan = await startPostgres({ dataDir, logFile });
    const replacement = await startPostgres({ dataDir, logFile });
    try {
      expect(gone(orphan.pid)).toBe(true);
      expect(await rows(replacement.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await replacement.stop();
      await orphan.stop();
    }
  });

  test('after a SIGKILL it restarts on the same port, ending backends the dead postmaster left busy', async () => {
    const dataDir = path.join(tmp, 'postgres-killed');
    const logFile = path.join(tmp, 'postgres-killed.log');
    const port = await freePort();
    const first = await startPostgres({ dataDir, logFile, port });
    // A backend deep in a long query notices its postmaster's death only when the query ends; while it
    // holds the old shared memory a new postmaster refuses to start.
    const busy = new Client({ connectionString: first.url });
    busy.on('error', () => undefined);
    await busy.connect();
    const backend = (await busy.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
    const query = busy.query('select count(*) from generate_series(1, 100000000000)').catch(() => undefined);
    await waitUntil(
      async () =>
        (await rows(first.url, `select 1 from pg_stat_activity where pid = ${backend} and state = 'active'`)).length >
        0,
      'the long query to run',
    );
    process.kill(first.pid, 'SIGKILL');
    await first.exit;
    expect(gone(backend)).toBe(false);

    const second = await startPostgres({ dataDir, logFile, port });
    try {
      expect(second.url).toBe(first.url);
      expect(gone(backend)).toBe(true);
      expect(await rows(second.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await second.stop();
      await busy.end().catch(() => undefined);
      await query;
    }
  });

  const asRoot = process.getuid?.() === 0 ? test : test.skip;
  asRoot('as root, a data dir the postgres user cannot reach falls back to /var/tmp', async () => {
    const locked = path.join(tmp, 'locked');
    fs.mkdirSync(locked, { mode: 0o700 });
    fs.chmodSync(locked, 0o700);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const first = await startPostgres({
        dataDir: path.join(locked, 'a'),
        logFile: path.join(tmp, 'postgres-locked.log'),
      });
      await first.stop();
      expect(first.dataDir.startsWith('/var/tmp/')).toBe(true);
      // Deleting the requested folder marks the fallback as throwaway; the next fallback sweeps it.
      fs.rmSync(path.join(locked, 'a'), { recursive: true });
      const second = await startPostgres({
        dataDir: path.join(locked, 'b'),
        logFile: path.join(tmp, 'postgres-locked.log'),
      });
      try {
        expect(fs.existsSync(first.dataDir)).toBe(false);
        expect(await rows(second.url, 'select 1 as one')).toEqual([{ one: 1 }]);
      } finally {
        await second.stop();
        fs.rmSync(second.dataDir, { recursive: true, force: true });
      }
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('minio', () => {
  test('starts, answers its health check, stops, and keeps its credentials', async () => {
    const dataDir = path.join(tmp, 'minio');
    const logFile = path.join(tmp, 'minio.log');
    const first = await startMinio({ dataDir, logFile });
    expect(first.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await minioLive(first.endpoint)).toBe(true);
    await first.stop();
    expect(gone(first.pid)).toBe(true);
    expect(await minioLive(first.endpoint)).toBe(false);

    const second = await startMinio({ dataDir, logFile });
    try {
      expect([second.accessKey, second.secretKey]).toEqual([first.accessKey, first.secretKey]);
      expect(await minioLive(second.endpoint)).toBe(true);
    } finally {
      await second.stop();
    }
  });
});

describe('temporal', () => {
  test('in-memory dev server answers with the custom search attributes', async () => {
    const server = await startTemporal({ headless: true, logFile: path.join(tmp, 'temporal.log') });
    const [host, port] = server.address.split(':');
    expect(server.uiUrl).toBeNull();
    expect(await canConnect(host, Number(port))).toBe(true);
    expect(await listSearchAttributes(server.address)).toEqual(expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTES)));
    await server.stop();
    expect(gone(server.pid)).toBe(true);
    expect(await canConnect(host, Number(port))).toBe(false);
  });

  test('persistent dev server with the Web UI restarts on the same database', async () => {
    const dataDir = path.join(tmp, 'temporal');
    const logFile = path.join(tmp, 'temporal-persistent.log');
    const first = await startTemporal({ dataDir, logFile });
    try {
      expect(first.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(first.uiUrl as string);
      expect(res.status).toBe(200);
    } finally {
      await first.stop();
    }
    expect(fs.existsSync(path.join(dataDir, 'temporal.db'))).toBe(true);
    const second = await startTemporal({ dataDir, logFile, headless: true });
    try {
      expect(await listSearchAttributes(second.address)).toEqual(
        expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTES)),
      );
    } finally {
      await second.stop();
    }
  });
});

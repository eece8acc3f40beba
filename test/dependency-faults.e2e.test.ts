import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createDb } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { startDemoProvider, type DemoProvider } from '../demo-provider/server';
import {
  freePort,
  startMinio,
  startPostgres,
  startTemporal,
  type MinioServer,
  type PostgresServer,
  type TemporalServer,
} from '../scripts/services';
import { waitUntil } from './support/processes';
import { TestStack, type TestMember } from './support/test-stack';

/**
 * Each dependency killed with SIGKILL under a running API: clients get a prompt, clean 503 while
 * it is down, the API never crashes, it serves again by itself once the part is back, and every
 * request's row ends final. This file runs its own Temporal, PostgreSQL and MinIO to kill.
 */
let dir: string;
const ports = { temporal: 0, postgres: 0, minio: 0 };
let temporal: TemporalServer;
let postgres: PostgresServer;
let minio: MinioServer;
let stack: TestStack;
let slowDemo: DemoProvider;
let alice: TestMember;
/** Served only by an agent in front of a slow model: a request of theirs stays in flight a while. */
let patient: TestMember;

const log = (name: string) => path.join(dir, `${name}.log`);
const bootTemporal = () =>
  startTemporal({
    dataDir: path.join(dir, 'temporal'),
    port: ports.temporal,
    headless: true,
    logFile: log('temporal'),
  });
const bootPostgres = () =>
  startPostgres({ dataDir: path.join(dir, 'postgres'), port: ports.postgres, logFile: log('postgres') });
const bootMinio = (keys?: { accessKey: string; secretKey: string }) =>
  startMinio({ dataDir: path.join(dir, 'minio'), port: ports.minio, logFile: log('minio'), ...keys });

/** Starts again on the same port; the killed process's children may hold it a moment longer. */
async function restart<T>(boot: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await boot();
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function kill(pid: number): void {
  process.kill(pid, 'SIGKILL');
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'inference-faults-'));
  chmodSync(dir, 0o755);
  Object.assign(ports, { temporal: await freePort(), postgres: await freePort(), minio: await freePort() });
  [temporal, postgres, minio] = await Promise.all([bootTemporal(), bootPostgres(), bootMinio()]);
  const db = createDb(postgres.url, 1);
  await migrateToLatest(db);
  await db.destroy();
  stack = await TestStack.start({
    env: {
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporal.address,
      S3_ENDPOINT: minio.endpoint,
      S3_ACCESS_KEY: minio.accessKey,
      S3_SECRET_KEY: minio.secretKey,
      // Heartbeats missed while Postgres is down must not take the provider offline for the test.
      PROVIDER_ONLINE_SECONDS: '120',
    },
  });
  slowDemo = await startDemoProvider({ latencyMs: 1500 });
  alice = await stack.member('alice');
  await stack.agent(alice);
  patient = await stack.member('patient');
  await stack.agent(patient, { upstreams: { default: slowDemo.url } });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await slowDemo?.close();
  await Promise.allSettled([temporal?.stop(), postgres?.stop(), minio?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const headers = (key = alice.key) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
const chat = (model = 'demo-chat', key = alice.key) =>
  fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: headers(key),
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
  });
const image = () =>
  fetch(`${stack.url}/v1/images/generations`, {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify({ model: 'demo-image', prompt: 'a cat', size: '32x32' }),
  });

async function expectUnavailable(res: Response, started: number): Promise<string> {
  const body = (await res.json()) as { error: { type: string; message: string } };
  expect({ status: res.status, type: body.error.type }).toEqual({ status: 503, type: 'service_unavailable' });
  expect(res.headers.get('retry-after')).toBeTruthy();
  // Prompt, not the clients' own retries (5 to 10 s before this was fixed).
  expect(Date.now() - started).toBeLessThan(4000);
  // No internal address in what clients see.
  expect(body.error.message).not.toMatch(/127\.0\.0\.1|:\d{4,5}/);
  return body.error.message;
}

async function untilServing(call: () => Promise<Response>, what: string): Promise<void> {
  await waitUntil(async () => (await call()).status === 200, what, 60_000);
}

async function noRowLeftProcessing(): Promise<void> {
  await waitUntil(
    async () =>
      (await stack.db.selectFrom('requests').select('status').where('status', '=', 'PROCESSING').execute()).length ===
      0,
    'every request row to be final',
    60_000,
  );
}

test('PostgreSQL killed: 503 meanwhile, an answer in flight still arrives, and it all recovers by itself', async () => {
  expect((await chat()).status).toBe(200);
  const inFlight = chat('demo-chat', patient.key);
  await waitUntil(() => slowDemo.stats().inFlight > 0, 'the slow request to reach its model');
  kill(postgres.pid);
  // Its backends end a moment after the postmaster: wait until the database is really gone.
  await waitUntil(
    () =>
      stack.db
        .selectFrom('members')
        .select('id')
        .limit(1)
        .execute()
        .then(
          () => false,
          () => true,
        ),
    'the database to be gone',
  );

  let started = Date.now();
  expect(await expectUnavailable(await chat(), started)).toBe(
    'The database is temporarily unavailable; retry shortly.',
  );
  started = Date.now();
  await expectUnavailable(await fetch(`${stack.url}/v1/models`, { headers: headers() }), started);
  // The agent's answer reaches its client without the database; the row waits for it.
  expect((await inFlight).status).toBe(200);

  postgres = await restart(bootPostgres);
  await untilServing(() => chat(), 'chat to work again');
  await noRowLeftProcessing();
}, 120_000);

test('an idle PostgreSQL backend killed: the API keeps serving', async () => {
  const admin = new Client({ connectionString: postgres.url });
  await admin.connect();
  const { rows } = await admin.query<{ pid: number }>(
    "select pid from pg_stat_activity where backend_type = 'client backend' and state = 'idle' and pid <> pg_backend_pid()",
  );
  await admin.end().catch(() => undefined);
  expect(rows.length).toBeGreaterThan(0);
  kill(rows[0].pid);
  // The postmaster restarts every backend after one dies by SIGKILL; the pool reconnects.
  await untilServing(() => chat(), 'chat to work after the backend restart');
}, 120_000);

test('Temporal killed: a prompt 503, then it serves again by itself', async () => {
  expect((await chat()).status).toBe(200);
  kill(temporal.pid);
  await new Promise((resolve) => setTimeout(resolve, 200));
  let started = Date.now();
  expect(await expectUnavailable(await chat(), started)).toBe(
    'The workflow service is temporarily unavailable; retry shortly.',
  );
  started = Date.now();
  await expectUnavailable(await image(), started);
  temporal = await restart(bootTemporal);
  await untilServing(() => chat(), 'chat to work again');
  await untilServing(() => image(), 'images to work again');
  await noRowLeftProcessing();
}, 120_000);

test('MinIO killed: media is a 503 naming no address, text still works, and old assets come back', async () => {
  const first = (await (await image()).json()) as { data: { url: string }[] };
  const asset = first.data[0].url;
  kill(minio.pid);
  await new Promise((resolve) => setTimeout(resolve, 200));
  let started = Date.now();
  expect(await expectUnavailable(await image(), started)).toBe('Storage is temporarily unavailable; retry shortly.');
  started = Date.now();
  expect(await expectUnavailable(await fetch(asset), started)).toBe(
    'Storage is temporarily unavailable; retry shortly.',
  );
  expect((await chat()).status).toBe(200);

  minio = await restart(() => bootMinio({ accessKey: minio.accessKey, secretKey: minio.secretKey }));
  await untilServing(() => image(), 'images to work again');
  expect((await fetch(asset)).status).toBe(200);
  await noRowLeftProcessing();
}, 120_000);

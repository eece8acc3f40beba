/**
 * The floor under the platform's figures: what Temporal (the dev server as the benchmarks start it)
 * and the TypeScript SDK cost for the same shapes of work with nothing of the platform in them.
 * An item is a workflow with one no-op activity (bench/floor-workflows.ts). Measured in interleaved
 * rounds: starts answered but not awaited (an async submit's share), sequential items started
 * eagerly from a client (a sync call's shape), the same with no activity at all (the least any
 * workflow costs), a fan-out of 256 children 16 at a time (a batch's) and one of 100 children 8 at
 * a time (a map's). Each reports wall time and CPU per item of the Temporal server and of this Node
 * process (client and worker together), read from /proc.
 * Run: `npm run bench:floor` (add `--rounds N`, `--sequential N`,
 * `--store memory|wal`: the in-memory server of the benchmarks, or a SQLite file in WAL mode as
 * `npm start` keeps).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startTemporal } from '../scripts/services';
import { cpuMs } from './proc-cpu';
import { ms, summarize, table } from './stats';

const TASK_QUEUE = 'floor';
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const load = () => os.loadavg()[0].toFixed(2);

interface Shape {
  name: string;
  items: number;
  run(client: Client, tag: string): Promise<void>;
  /** Cleanup outside the measured window. */
  after?(client: Client, tag: string): Promise<void>;
}

function fanOut(items: number, concurrency: number): Shape {
  return {
    name: `fan-out of ${items} children, ${concurrency} at a time`,
    items,
    run: async (client, tag) => {
      const out = await client.workflow.execute('floorFanOut', {
        taskQueue: TASK_QUEUE,
        workflowId: `fan-${tag}`,
        args: [items, concurrency],
      });
      if ((out as number[]).length !== items) throw new Error('fan-out lost items');
    },
  };
}

function sequential(items: number, latencies: number[], workflow = 'floorItem'): Shape {
  const what = workflow === 'floorEmpty' ? 'workflows with no activity' : 'items';
  return {
    name: `${items} ${what} one after another, started eagerly`,
    items,
    run: async (client, tag) => {
      for (let i = 0; i < items; i++) {
        const t = performance.now();
        await client.workflow.execute(workflow, {
          taskQueue: TASK_QUEUE,
          workflowId: `${workflow}-${tag}-${i}`,
          args: [i],
          requestEagerStart: true,
        });
        latencies.push(performance.now() - t);
      }
    },
  };
}

/**
 * What an async submit asks of Temporal at least: one start, not eager, not awaited. With `idle`,
 * on a task queue nobody polls (the start alone, as for a job that waits); otherwise the worker runs
 * the items meanwhile (as for jobs that run), and they are awaited after the last start.
 */
function starts(items: number, latencies: number[], idle: boolean): Shape {
  const queue = idle ? `${TASK_QUEUE}-idle` : TASK_QUEUE;
  const id = (tag: string, i: number) => `start-${queue}-${tag}-${i}`;
  return {
    name: `${items} starts, ${idle ? 'nobody polling' : 'the items running meanwhile'}`,
    items,
    run: async (client, tag) => {
      const handles = [];
      for (let i = 0; i < items; i++) {
        const t = performance.now();
        handles.push(await client.workflow.start('floorItem', { taskQueue: queue, workflowId: id(tag, i), args: [i] }));
        latencies.push(performance.now() - t);
      }
      if (!idle) await Promise.all(handles.map((h) => h.result()));
    },
    after: idle
      ? async (client, tag) => {
          for (let i = 0; i < items; i++) await client.workflow.getHandle(id(tag, i)).terminate('measured');
        }
      : undefined,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      sequential: { type: 'string', default: '200' },
      store: { type: 'string', default: 'memory' },
    },
  });
  const rounds = Number(values.rounds);
  const store = values.store === 'wal' ? 'wal' : 'memory';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'temporal-floor-'));
  Runtime.install({ logger: { log: () => undefined, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  const temporal = await startTemporal({
    headless: true,
    logFile: path.join(dir, 'temporal.log'),
    ...(store === 'wal' ? { dataDir: dir } : {}),
  });
  const latencies: number[] = [];
  const emptyLatencies: number[] = [];
  const startLatencies: number[] = [];
  const idleStartLatencies: number[] = [];
  const shapes = [
    starts(Number(values.sequential), idleStartLatencies, true),
    starts(Number(values.sequential), startLatencies, false),
    sequential(Number(values.sequential), latencies),
    sequential(Number(values.sequential), emptyLatencies, 'floorEmpty'),
    fanOut(256, 16),
    fanOut(100, 8),
  ];
  const samples = new Map<Shape, { wall: number; temporal: number; node: number; load: string }[]>();
  try {
    const connection = await NativeConnection.connect({ address: temporal.address });
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'floor-workflows.js'),
      logger: { log: () => undefined, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    const worker = await Worker.create({
      connection,
      taskQueue: TASK_QUEUE,
      workflowBundle,
      activities: { touch: async (index: number) => index },
    });
    const client = new Client({ connection });
    await worker.runUntil(async () => {
      for (const shape of shapes) {
        await shape.run(client, 'warm'); // bundle loaded, caches filled
        await shape.after?.(client, 'warm');
      }
      latencies.length = 0;
      emptyLatencies.length = 0;
      startLatencies.length = 0;
      idleStartLatencies.length = 0;
      for (let round = 1; round <= rounds; round++) {
        for (const shape of shapes) {
          const before = load();
          const cpu0 = cpuMs({ temporal: temporal.pid });
          const node0 = process.cpuUsage();
          const t = performance.now();
          await shape.run(client, String(round));
          const wall = performance.now() - t;
          const node1 = process.cpuUsage(node0);
          const cpu1 = cpuMs({ temporal: temporal.pid });
          await shape.after?.(client, String(round));
          const list = samples.get(shape) ?? [];
          list.push({
            wall,
            temporal: cpu1.temporal - cpu0.temporal,
            node: (node1.user + node1.system) / 1000,
            load: before,
          });
          samples.set(shape, list);
          log(`round ${round}: ${shape.name}: ${(wall / 1000).toFixed(2)} s`);
        }
      }
    });
    await connection.close();
  } finally {
    await temporal.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [['work', 'round', 'wall s', 'temporal ms/item', 'node ms/item', 'load before']];
  for (const shape of shapes) {
    const list = samples.get(shape) ?? [];
    list.forEach((s, i) =>
      rows.push([
        shape.name,
        String(i + 1),
        (s.wall / 1000).toFixed(2),
        (s.temporal / shape.items).toFixed(1),
        (s.node / shape.items).toFixed(1),
        s.load,
      ]),
    );
    rows.push([
      shape.name,
      'median',
      (median(list.map((s) => s.wall)) / 1000).toFixed(2),
      (median(list.map((s) => s.temporal)) / shape.items).toFixed(1),
      (median(list.map((s) => s.node)) / shape.items).toFixed(1),
      '',
    ]);
  }
  const s = summarize(latencies);
  const e = summarize(emptyLatencies);
  const st = summarize(startLatencies);
  const idleSt = summarize(idleStartLatencies);
  process.stdout.write(
    [
      'Temporal and its TypeScript SDK alone: one no-op activity per workflow (bench/floor-workflows.ts)',
      `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(
          ' ',
        )} at the end; Temporal dev server ${store === 'wal' ? 'on a SQLite file (WAL)' : 'in memory'}, headless`,
      '',
      table(rows, 2),
      '',
      `one item started eagerly and awaited, one client: p50 ${ms(s.p50)} ms, p95 ${ms(s.p95)} ms, p99 ${ms(s.p99)} ms over ${latencies.length}`,
      `one start (not eager), one client, nobody polling: p50 ${ms(idleSt.p50)} ms, p95 ${ms(idleSt.p95)} ms, p99 ${ms(idleSt.p99)} ms over ${idleStartLatencies.length}`,
      `one start, the items running meanwhile: p50 ${ms(st.p50)} ms, p95 ${ms(st.p95)} ms, p99 ${ms(st.p99)} ms over ${startLatencies.length}`,
      `one workflow with no activity, same: p50 ${ms(e.p50)} ms, p95 ${ms(e.p95)} ms, p99 ${ms(e.p99)} ms over ${emptyLatencies.length}`,
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

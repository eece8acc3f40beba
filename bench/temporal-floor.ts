/**
 * The floor under the platform's figures: what Temporal (the dev server as the benchmarks start it)
 * and the TypeScript SDK cost for the same shapes of work with nothing of the platform in them.
 * An item is a workflow with one no-op activity (bench/floor-workflows.ts). Measured in interleaved
 * rounds: starts answered but not awaited (an async submit's share), sequential items started
 * eagerly from a client (a sync call's shape), the same with no activity at all (the least any
 * workflow costs), a fan-out of 256 children 16 at a time (a batch's) and one of 100 children 8 at
 * a time (a map's). Each reports wall time and CPU per item of the Temporal server and of this Node
 * process (client and worker together), read from /proc. With `--litellm`, the same rounds also send
 * sync chats through LiteLLM's bare proxy (installed as `npm run bench -- --compare` installs it) and
 * straight to the demo provider behind it, alternating, for LiteLLM's added latency and CPU per
 * request beside the floor.
 * Run: `npm run bench:floor` (add `--rounds N`, `--sequential N`,
 * `--store memory|wal`: the in-memory server of the benchmarks, or a SQLite file in WAL mode as
 * `npm start` keeps, `--litellm`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startTemporal } from '../scripts/services';
import { CHAT_BODY } from './client';
import { FLOOR_TASK_QUEUE, measureWork, startFloorWorker, type FloorWorker } from './floor-worker';
import { ensureLitellm, LITELLM_VERSION, startLitellm, type Litellm } from './litellm';
import { startDemoProcess, type DemoProcess } from './process-stack';
import { median, ms, summarize, table } from './stats';

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const load = () => os.loadavg()[0].toFixed(2);

interface Shape {
  name: string;
  items: number;
  run(floor: FloorWorker, tag: string): Promise<void>;
  /** Cleanup outside the measured window. */
  after?(floor: FloorWorker, tag: string): Promise<void>;
}

function fanOut(items: number, concurrency: number): Shape {
  return {
    name: `fan-out of ${items} children, ${concurrency} at a time`,
    items,
    run: async (floor) => {
      await floor.fanOut(items, concurrency);
    },
  };
}

function sequential(items: number, latencies: number[], workflow = 'floorItem'): Shape {
  const what = workflow === 'floorEmpty' ? 'workflows with no activity' : 'items';
  return {
    name: `${items} ${what} one after another, started eagerly`,
    items,
    run: async ({ client }, tag) => {
      for (let i = 0; i < items; i++) {
        const t = performance.now();
        await client.workflow.execute(workflow, {
          taskQueue: FLOOR_TASK_QUEUE,
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
  const queue = idle ? `${FLOOR_TASK_QUEUE}-idle` : FLOOR_TASK_QUEUE;
  const id = (tag: string, i: number) => `start-${queue}-${tag}-${i}`;
  return {
    name: `${items} starts, ${idle ? 'nobody polling' : 'the items running meanwhile'}`,
    items,
    run: async ({ client }, tag) => {
      const handles = [];
      for (let i = 0; i < items; i++) {
        const t = performance.now();
        handles.push(await client.workflow.start('floorItem', { taskQueue: queue, workflowId: id(tag, i), args: [i] }));
        latencies.push(performance.now() - t);
      }
      if (!idle) await Promise.all(handles.map((h) => h.result()));
    },
    after: idle
      ? async ({ client }, tag) => {
          for (let i = 0; i < items; i++) await client.workflow.getHandle(id(tag, i)).terminate('measured');
        }
      : undefined,
  };
}

/**
 * The yardstick of the same run: sync chats one after another through LiteLLM's bare proxy and, in
 * turn, straight to the demo provider behind it, so its added latency and its CPU per request are
 * measured in the same rounds as the floor.
 */
function litellmChats(items: number, added: number[], proxy: () => { litellm: Litellm; demo: DemoProcess }): Shape {
  const chat = async (url: string, key?: string): Promise<number> => {
    const t = performance.now();
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key && { authorization: `Bearer ${key}` }) },
      body: JSON.stringify(CHAT_BODY),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return performance.now() - t;
  };
  return {
    name: `${items} sync chats through LiteLLM ${LITELLM_VERSION}, one after another`,
    items,
    run: async () => {
      const { litellm, demo } = proxy();
      for (let i = 0; i < items; i++) {
        const through = await chat(litellm.url, litellm.apiKey);
        added.push(through - (await chat(demo.url)));
      }
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      sequential: { type: 'string', default: '200' },
      store: { type: 'string', default: 'memory' },
      litellm: { type: 'boolean', default: false },
    },
  });
  const rounds = Number(values.rounds);
  const store = values.store === 'wal' ? 'wal' : 'memory';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'temporal-floor-'));
  const temporal = await startTemporal({
    headless: true,
    logFile: path.join(dir, 'temporal.log'),
    ...(store === 'wal' ? { dataDir: dir } : {}),
  });
  let proxy: { litellm: Litellm; demo: DemoProcess } | undefined;
  if (values.litellm) {
    await ensureLitellm(log);
    const demo = await startDemoProcess(dir, 'demo-provider');
    proxy = { demo, litellm: await startLitellm({ upstream: `${demo.url}/v1`, dir, name: 'litellm' }) };
  }
  const pids = {
    temporal: temporal.pid,
    ...(proxy && { litellm: proxy.litellm.pid, demo: proxy.demo.child.pid }),
  };
  const latencies: number[] = [];
  const litellmAdded: number[] = [];
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
    ...(proxy ? [litellmChats(Number(values.sequential), litellmAdded, () => proxy)] : []),
  ];
  const samples = new Map<Shape, { wallMs: number; cpu: Record<string, number>; nodeMs: number; load: string }[]>();
  let floor: FloorWorker | undefined;
  try {
    // Eager starts need the client on the worker's own connection: the floor worker's client is.
    const worker = await startFloorWorker(temporal.address);
    floor = worker;
    for (const shape of shapes) {
      await shape.run(worker, 'warm'); // bundle loaded, caches filled
      await shape.after?.(worker, 'warm');
    }
    latencies.length = 0;
    litellmAdded.length = 0;
    emptyLatencies.length = 0;
    startLatencies.length = 0;
    idleStartLatencies.length = 0;
    for (let round = 1; round <= rounds; round++) {
      for (const shape of shapes) {
        const before = load();
        const sample = await measureWork(pids, () => shape.run(worker, String(round)));
        await shape.after?.(worker, String(round));
        samples.set(shape, [...(samples.get(shape) ?? []), { ...sample, load: before }]);
        log(`round ${round}: ${shape.name}: ${(sample.wallMs / 1000).toFixed(2)} s`);
      }
    }
  } finally {
    await floor?.stop();
    await proxy?.litellm.stop();
    await proxy?.demo.child.stop();
    await temporal.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const names = Object.keys(pids);
  const perItem = (value: number, shape: Shape) => (value / shape.items).toFixed(1);
  const rows = [['work', 'round', 'wall s', ...names.map((n) => `${n} ms/item`), 'this node ms/item', 'load before']];
  for (const shape of shapes) {
    const list = samples.get(shape) ?? [];
    list.forEach((s, i) =>
      rows.push([
        shape.name,
        String(i + 1),
        (s.wallMs / 1000).toFixed(2),
        ...names.map((n) => perItem(s.cpu[n], shape)),
        perItem(s.nodeMs, shape),
        s.load,
      ]),
    );
    rows.push([
      shape.name,
      'median',
      (median(list.map((s) => s.wallMs)) / 1000).toFixed(2),
      ...names.map((n) => perItem(median(list.map((s) => s.cpu[n])), shape)),
      perItem(median(list.map((s) => s.nodeMs)), shape),
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
      "`this node` is the benchmark's own process: for the Temporal rows the worker and the client (the\n" +
        "platform's worker and API), for LiteLLM's row the load generator (not part of what is measured).",
      '',
      table(rows, 2),
      '',
      `one item started eagerly and awaited, one client: p50 ${ms(s.p50)} ms, p95 ${ms(s.p95)} ms, p99 ${ms(s.p99)} ms over ${latencies.length}`,
      `one start (not eager), one client, nobody polling: p50 ${ms(idleSt.p50)} ms, p95 ${ms(idleSt.p95)} ms, p99 ${ms(idleSt.p99)} ms over ${idleStartLatencies.length}`,
      `one start, the items running meanwhile: p50 ${ms(st.p50)} ms, p95 ${ms(st.p95)} ms, p99 ${ms(st.p99)} ms over ${startLatencies.length}`,
      ...(proxy
        ? [
            `LiteLLM's added latency (through it minus direct, alternating), one client: p50 ${ms(summarize(litellmAdded).p50)} ms, p95 ${ms(summarize(litellmAdded).p95)} ms, p99 ${ms(summarize(litellmAdded).p99)} ms over ${litellmAdded.length}`,
          ]
        : []),
      `one workflow with no activity, same: p50 ${ms(e.p50)} ms, p95 ${ms(e.p95)} ms, p99 ${ms(e.p99)} ms over ${emptyLatencies.length}`,
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

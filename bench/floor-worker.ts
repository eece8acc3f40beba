/**
 * A worker for bench/floor-workflows.ts in the benchmark's own process, on any Temporal server: the
 * floor benchmark starts one on a server of its own, and `bench:jobs --floor` / `bench:runs --floor`
 * on the platform's server, so a batch or a map and the same fan-out with nothing of the platform in
 * it are measured on one server in the same rounds.
 */
import path from 'node:path';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { cpuDelta, cpuMs } from './proc-cpu';

export const FLOOR_TASK_QUEUE = 'bench-floor';

const quiet = { log: () => undefined, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export interface FloorWorker {
  client: Client;
  /** Runs `items` children of one no-op activity each, `concurrency` at a time; resolves with the wall time in ms. */
  fanOut(items: number, concurrency: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startFloorWorker(address: string): Promise<FloorWorker> {
  try {
    // Once per process, before any native connection; a process that has a runtime keeps it.
    Runtime.install({ logger: quiet });
  } catch {
    // installed already
  }
  const connection = await NativeConnection.connect({ address });
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, 'floor-workflows.js'),
    logger: quiet,
  });
  const worker = await Worker.create({
    connection,
    taskQueue: FLOOR_TASK_QUEUE,
    workflowBundle,
    activities: { touch: async (index: number) => index },
  });
  const running = worker.run();
  const client = new Client({ connection });
  let runs = 0;
  return {
    client,
    fanOut: async (items, concurrency) => {
      const t = performance.now();
      const out = await client.workflow.execute('floorFanOut', {
        taskQueue: FLOOR_TASK_QUEUE,
        workflowId: `floor-fan-${process.pid}-${Date.now()}-${runs++}`,
        args: [items, concurrency],
      });
      if ((out as number[]).length !== items) throw new Error('the fan-out lost items');
      return performance.now() - t;
    },
    stop: async () => {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

export interface FloorSample {
  wallMs: number;
  /** CPU of the Temporal server and of this process (the floor's worker and client), in ms. */
  temporalMs: number;
  nodeMs: number;
}

/**
 * Wall time of `work`, the CPU each process of `pids` spent meanwhile (from /proc), and this
 * process's own (where the floor's worker and client run), all in ms.
 */
export async function measureWork(
  pids: Readonly<Record<string, number>>,
  work: () => Promise<unknown>,
): Promise<{ wallMs: number; cpu: Record<string, number>; nodeMs: number }> {
  const before = cpuMs(pids);
  const node = process.cpuUsage();
  const t = performance.now();
  await work();
  const wallMs = performance.now() - t;
  const used = process.cpuUsage(node);
  return { wallMs, cpu: cpuDelta(before, cpuMs(pids)), nodeMs: (used.user + used.system) / 1000 };
}

/** One fan-out with the CPU it cost; `temporalPid` is the server the worker runs on. */
export async function measureFanOut(
  floor: FloorWorker,
  temporalPid: number,
  items: number,
  concurrency: number,
): Promise<FloorSample> {
  const { wallMs, cpu, nodeMs } = await measureWork({ temporal: temporalPid }, () => floor.fanOut(items, concurrency));
  return { wallMs, temporalMs: cpu.temporal, nodeMs };
}

/**
 * Rows comparing the platform's rounds with the floor's, round by round: wall times, their ratio,
 * and the Temporal server's CPU per item of each.
 */
export function floorRows(
  platform: { wallMs: number; temporalMs: number }[],
  floor: FloorSample[],
  items: number,
  loads: string[],
): string[][] {
  const rows = [
    [
      'round',
      'platform s',
      'floor s',
      'platform / floor',
      'Temporal ms/item, platform',
      'Temporal ms/item, floor',
      'floor worker+client ms/item',
      'load before',
    ],
  ];
  floor.forEach((f, i) => {
    const p = platform[i];
    rows.push([
      String(i + 1),
      (p.wallMs / 1000).toFixed(2),
      (f.wallMs / 1000).toFixed(2),
      (p.wallMs / f.wallMs).toFixed(2),
      (p.temporalMs / items).toFixed(1),
      (f.temporalMs / items).toFixed(1),
      (f.nodeMs / items).toFixed(1),
      loads[i] ?? '',
    ]);
  });
  return rows;
}

/**
 * Async jobs and batches, measured on a throwaway real stack (bench/orchestration-stack.ts: each
 * part its own process, as `npm start` runs them; `--layout in-process` for the older one-process
 * layout): how long a client waits for the 202 of `"async": true` at 1 and 32
 * concurrent clients, and the wall time of a 256-request batch against the demo provider with no
 * delay, from its POST to its output file, with each process's CPU per batch item.
 * Run: `npm run bench:jobs` (add `--rounds N`, `--layout in-process`, `--batches-only`, `--floor`:
 * after each batch, 256 children of one no-op activity each, 16 at a time, on the same Temporal
 * server with a worker in the benchmark's process (bench/floor-worker.ts), the least any batch of
 * child workflows costs there).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  cpuRows,
  describeLayout,
  measureCpu,
  startOrchestrationStack,
  type Layout,
  type OrchestrationStack,
} from './orchestration-stack';
import { median, ms, summarize, table } from './stats';
import { batchWorkflowId } from '../workflows/batch-contract';
import { floorRows, measureFanOut, startFloorWorker, type FloorSample, type FloorWorker } from './floor-worker';

const TARGET_SUBMIT_P50_MS = 5;
const TARGET_BATCH_S = 5;
/** The platform's default BATCH_CONCURRENCY. */
const BATCH_CONCURRENCY = 16;
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const load = () => os.loadavg()[0].toFixed(2);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      layout: { type: 'string', default: 'processes' },
      'batches-only': { type: 'boolean', default: false },
      floor: { type: 'boolean', default: false },
    },
  });
  const batchesOnly = values['batches-only'];
  const rounds = Number(values.rounds);
  const layout = values.layout as Layout;
  const stack = await startOrchestrationStack({ layout, agentConcurrency: 32, log });
  let floor: FloorWorker | undefined;
  try {
    const lines: string[] = [
      'Async jobs and batches on this machine (everything on one host; see the load average per row)',
      `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} at start`,
      describeLayout(layout),
      `targets: async submit p50 <= ${TARGET_SUBMIT_P50_MS} ms; a 256-request batch <= ${TARGET_BATCH_S} s`,
      '',
    ];
    if (values.floor && stack.pids.temporal === undefined) throw new Error('--floor needs the processes layout');
    floor = values.floor ? await startFloorWorker(stack.temporalAddress) : undefined;
    if (floor) await floor.fanOut(32, BATCH_CONCURRENCY); // bundle loaded
    const floorSamples: FloorSample[] = [];
    const loads: string[] = [];
    if (batchesOnly) {
      // The batches alone, on a fresh stack: one small batch first, so bundles and pools are warm.
      await batchRun(stack, 32);
    } else {
      await submitPhases(stack, lines);
    }
    const batchRows = [['round', 'requests', 'wall time s', 'load before']];
    const walls: number[] = [];
    const cpu: Record<string, number>[] = [];
    for (let round = 1; round <= rounds; round++) {
      const before = load();
      const { result: wall, cpu: used } = await measureCpu(stack, () => batchRun(stack, 256));
      cpu.push(used);
      walls.push(wall);
      loads.push(before);
      batchRows.push([String(round), '256', (wall / 1000).toFixed(2), before]);
      if (floor) floorSamples.push(await measureFanOut(floor, stack.pids.temporal, 256, BATCH_CONCURRENCY));
    }
    batchRows.push(['median', '256', (median(walls) / 1000).toFixed(2), '']);
    lines.push(
      'Batch of 256 chat requests (demo provider, no delay; BATCH_CONCURRENCY default): POST to completed',
      table(batchRows),
      '',
      'CPU milliseconds per batch item, by process (median over rounds; from /proc)',
      table([['process', 'ms per item'], ...cpuRows(cpu, 256)]),
    );
    if (floor) {
      lines.push(
        '',
        `The floor in the same rounds: 256 children of one no-op activity, ${BATCH_CONCURRENCY} at a time, on the same Temporal server`,
        table(
          floorRows(
            walls.map((wallMs, i) => ({ wallMs, temporalMs: cpu[i].temporal })),
            floorSamples,
            256,
            loads,
          ),
        ),
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await floor?.stop();
    await stack.stop();
  }
}

/**
 * Async submit latency: a model whose provider heartbeats but never polls (its jobs are accepted
 * and wait, so the submit is measured alone), then the same with the jobs running meanwhile.
 */
async function submitPhases(stack: OrchestrationStack, lines: string[]): Promise<void> {
  await heartbeatOnly(stack, 'bench-waiting');
  const submitRows = [['jobs', 'clients', 'requests', 'p50 ms', 'p95 ms', 'p99 ms', 'submits/s', 'load before']];
  for (const [label, model] of [
    ['wait', 'bench-waiting'],
    ['run', 'demo-chat'],
  ] as const) {
    if (label === 'run') await cancelWaiting(stack);
    for (const clients of [1, 32]) {
      const count = label === 'wait' ? (clients === 1 ? 100 : 300) : clients === 1 ? 300 : 1000;
      const before = load();
      await submitLoad(stack, model, clients, 20);
      const { latencies, elapsedMs } = await submitLoad(stack, model, clients, count);
      const s = summarize(latencies);
      const rate = (count / (elapsedMs / 1000)).toFixed(0);
      submitRows.push([label, String(clients), String(count), ms(s.p50), ms(s.p95), ms(s.p99), rate, before]);
      if (label === 'run') await drain(stack);
    }
  }
  lines.push(
    'Async submit: time until the 202 ("wait": the jobs queue and nothing else runs; "run": they run meanwhile)',
    table(submitRows, 2),
    '',
  );
}

async function submitLoad(stack: OrchestrationStack, model: string, clients: number, count: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        next += 1;
        const t = performance.now();
        const res = await fetch(`${stack.apiUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'later' }], async: true }),
        });
        await res.arrayBuffer();
        if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, elapsedMs: performance.now() - started };
}

/** A provider that heartbeats `model` but whose agent never polls: jobs for it are accepted and wait. */
async function heartbeatOnly(stack: OrchestrationStack, model: string): Promise<void> {
  const res = await fetch(`${stack.apiUrl}/api/inference/agent/heartbeat/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench-waiting', concurrency: 1, models: [{ id: model, service_type: 'llm' }] }),
  });
  if (!res.ok) throw new Error(`heartbeat answered ${res.status}`);
}

/**
 * Cancels every job still waiting (through Temporal, without waiting for each), so the next phase
 * runs alone; again until none is left, as the visibility list lags behind the last starts.
 */
async function cancelWaiting(stack: OrchestrationStack): Promise<void> {
  const headers = { authorization: `Bearer ${stack.apiKey}` };
  for (;;) {
    const cancels: Promise<unknown>[] = [];
    for await (const wf of stack.temporal.workflow.list({ query: `ExecutionStatus = 'Running'` })) {
      cancels.push(
        stack.temporal.workflow
          .getHandle(wf.workflowId)
          .cancel()
          .catch(() => undefined),
      );
    }
    await Promise.all(cancels);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const res = await fetch(`${stack.apiUrl}/v1/jobs?active=1&limit=1`, { headers });
    if (((await res.json()) as { data: unknown[] }).data.length === 0) return;
  }
}

/** Waits until no job is queued or running, so one phase's work does not weigh on the next. */
async function drain(stack: OrchestrationStack): Promise<void> {
  for (;;) {
    const res = await fetch(`${stack.apiUrl}/v1/jobs?active=1&limit=1`, {
      headers: { authorization: `Bearer ${stack.apiKey}` },
    });
    if (((await res.json()) as { data: unknown[] }).data.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function batchRun(stack: OrchestrationStack, size: number): Promise<number> {
  const headers = { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' };
  const requests = Array.from({ length: size }, (_, i) => ({
    custom_id: `r${i}`,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'demo-chat', messages: [{ role: 'user', content: `item ${i}` }] },
  }));
  const t = performance.now();
  const res = await fetch(`${stack.apiUrl}/v1/batches`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ requests }),
  });
  const { id } = (await res.json()) as { id: string };
  // Waits on the batch's workflow (a long-poll the server answers when it closes, right after the
  // batch is marked completed) rather than polling the batch's 256-job listing, whose cost would
  // weigh on what is measured. Then reads the batch once, as a client would.
  await stack.temporal.workflow.getHandle(batchWorkflowId(id)).result();
  const wall = performance.now() - t;
  const batch = (await (await fetch(`${stack.apiUrl}/v1/batches/${id}`, { headers })).json()) as {
    status: string;
    request_counts: { completed: number };
  };
  if (batch.status !== 'completed' || batch.request_counts.completed !== size) {
    throw new Error(`batch ended ${batch.status} with ${batch.request_counts.completed} of ${size}`);
  }
  return wall;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

/**
 * Workflow runs, measured on a throwaway real stack (bench/orchestration-stack.ts: each part its
 * own process, as `npm start` runs them; `--layout in-process` for the older one-process layout): how long a client waits for the 201 of `POST /v1/workflows/runs`, and the
 * wall time of a plan → transform → map(100 images) → transform run against the demo provider with
 * no delay, from its POST until it is DONE, with each process's CPU per map item.
 * Run: `npm run bench:runs` (add `--rounds N`, `--map-concurrency N` (default 8, the platform's),
 * `--layout in-process`, `--floor`: after each run, 100 children of one no-op activity each, as many
 * at a time as the map, on the same Temporal server with a worker in the benchmark's process
 * (bench/floor-worker.ts), the least any map of child workflows costs there).
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
import { floorRows, measureFanOut, startFloorWorker, type FloorSample, type FloorWorker } from './floor-worker';
import { median, ms, summarize, table } from './stats';

const TARGET_RUN_S = 3;
const ITEMS = 100;
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const load = () => os.loadavg()[0].toFixed(2);

/** Plan ten subjects, spread them over 100 prompts, draw each, collect the links. */
const SPEC = {
  steps: [
    {
      id: 'plan',
      kind: 'inference',
      type: 'chat',
      extract: 'json',
      body: {
        messages: [
          {
            role: 'user',
            content: 'List 10 poster subjects about {{inputs.topic}}. Return JSON: {"subjects": ["..."]}',
          },
        ],
      },
    },
    {
      id: 'prompts',
      kind: 'transform',
      expression: `($s := steps.plan.subjects; $map([0..${ITEMS - 1}], function($i) { $s[$i % $count($s)] & ' #' & $string($i) }))`,
    },
    { id: 'draw', kind: 'map', type: 'image', over: '{{steps.prompts.output}}', body: { prompt: '{{item}}' } },
    { id: 'links', kind: 'transform', expression: '[steps.draw.url]' },
  ],
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      'map-concurrency': { type: 'string', default: '8' },
      layout: { type: 'string', default: 'processes' },
      floor: { type: 'boolean', default: false },
    },
  });
  const layout = values.layout as Layout;
  const rounds = Number(values.rounds);
  const mapConcurrency = values['map-concurrency'];
  const lines: string[] = [
    'Workflow runs on this machine (everything on one host; see the load average per row)',
    `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at start`,
    describeLayout(layout),
    `target: plan → map(${ITEMS} images) → transform <= ${TARGET_RUN_S} s`,
    '',
  ];
  const runRows = [['round', 'wall time s', 'load before']];
  const walls: number[] = [];
  let submit: number[] = [];
  const cpu: Record<string, number>[] = [];
  const stack = await startOrchestrationStack({
    layout,
    agentConcurrency: 32,
    env: { RUN_MAP_CONCURRENCY: mapConcurrency },
    log,
  });
  let floor: FloorWorker | undefined;
  const floorSamples: FloorSample[] = [];
  const loads: string[] = [];
  try {
    if (values.floor && stack.pids.temporal === undefined) throw new Error('--floor needs the processes layout');
    floor = values.floor ? await startFloorWorker(stack.temporalAddress) : undefined;
    if (floor) await floor.fanOut(16, Number(mapConcurrency)); // bundle loaded
    await run(stack); // warm-up: bundles loaded, pools filled
    for (let round = 1; round <= rounds; round++) {
      const before = load();
      const { result: wall, cpu: used } = await measureCpu(stack, () => run(stack));
      cpu.push(used);
      walls.push(wall);
      loads.push(before);
      runRows.push([String(round), (wall / 1000).toFixed(2), before]);
      if (floor) floorSamples.push(await measureFanOut(floor, stack.pids.temporal, ITEMS, Number(mapConcurrency)));
    }
    submit = await submitLatencies(stack, 100);
  } finally {
    await floor?.stop();
    await stack.stop();
  }
  runRows.push(['median', (median(walls) / 1000).toFixed(2), '']);
  const s = summarize(submit);
  lines.push(
    `plan → transform → map(${ITEMS} images) → transform, demo provider with no delay, RUN_MAP_CONCURRENCY ${mapConcurrency}: POST until DONE`,
    table(runRows),
    '',
    'Start to 201: POST /v1/workflows/runs of a small inline spec, one client, one after another',
    table([
      ['requests', 'p50 ms', 'p95 ms', 'p99 ms', 'load after'],
      [String(submit.length), ms(s.p50), ms(s.p95), ms(s.p99), load()],
    ]),
    '',
    `CPU milliseconds per map item (the whole run divided by ${ITEMS}), by process (median over rounds; from /proc)`,
    table([['process', 'ms per item'], ...cpuRows(cpu, ITEMS)]),
  );
  if (floorSamples.length > 0) {
    lines.push(
      '',
      `The floor in the same rounds: ${ITEMS} children of one no-op activity, ${mapConcurrency} at a time, on the same Temporal server`,
      table(
        floorRows(
          walls.map((wallMs, i) => ({ wallMs, temporalMs: cpu[i].temporal })),
          floorSamples,
          ITEMS,
          loads,
        ),
      ),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

const headers = (stack: OrchestrationStack) => ({
  authorization: `Bearer ${stack.apiKey}`,
  'content-type': 'application/json',
});

async function run(stack: OrchestrationStack): Promise<number> {
  const t = performance.now();
  const res = await fetch(`${stack.apiUrl}/v1/workflows/runs`, {
    method: 'POST',
    headers: headers(stack),
    body: JSON.stringify({ spec: SPEC, inputs: { topic: 'the sea' } }),
  });
  if (res.status !== 201) throw new Error(`start answered ${res.status}: ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  for (;;) {
    const got = await fetch(`${stack.apiUrl}/v1/workflows/runs/${id}?wait=30`, { headers: headers(stack) });
    const body = (await got.json()) as {
      status: string;
      error: string | null;
      steps: { step_id: string; output: unknown }[];
    };
    if (body.status === 'RUNNING') continue;
    if (body.status !== 'DONE') throw new Error(`run ended ${body.status}: ${body.error}`);
    const links = body.steps.find((step) => step.step_id === 'links')?.output as unknown[];
    if (links.length !== ITEMS) throw new Error(`run drew ${links.length} of ${ITEMS}`);
    return performance.now() - t;
  }
}

/** Start-to-201 of a one-step spec; the runs are canceled afterwards so they weigh on nothing. */
async function submitLatencies(stack: OrchestrationStack, count: number): Promise<number[]> {
  const latencies: number[] = [];
  const ids: string[] = [];
  const body = JSON.stringify({
    spec: { steps: [{ id: 'wait', kind: 'gate', show: 'nothing to run' }] },
  });
  for (let i = 0; i < count + 10; i++) {
    const t = performance.now();
    const res = await fetch(`${stack.apiUrl}/v1/workflows/runs`, { method: 'POST', headers: headers(stack), body });
    const { id } = (await res.json()) as { id: string };
    if (res.status !== 201) throw new Error(`start answered ${res.status}`);
    if (i >= 10) latencies.push(performance.now() - t);
    ids.push(id);
  }
  await Promise.all(
    ids.map((id) =>
      fetch(`${stack.apiUrl}/v1/workflows/runs/${id}/cancel`, { method: 'POST', headers: headers(stack) }).catch(
        () => undefined,
      ),
    ),
  );
  return latencies;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

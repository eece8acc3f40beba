/**
 * The stack the jobs and runs benchmarks drive. By default the platform as users start it: the
 * worker, API, agent and demo provider each their own process (bench/process-stack.ts), so their
 * CPU can be read from /proc and they share the two cores as they do under `npm start`. With
 * `in-process`, the older layout: API, orchestration worker and agent inside the benchmark's own
 * process (bench/stack.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { cpuDelta, cpuMs } from './proc-cpu';
import { platformPids, startDemoProcess, startInfrastructure, startPlatform } from './process-stack';
import { startStack } from './stack';
import { median } from './stats';

export type Layout = 'processes' | 'in-process';

/** The report's line saying how the stack was laid out. */
export function describeLayout(layout: Layout): string {
  return `layout: ${
    layout === 'processes'
      ? 'API, worker, agent (32 polls) and demo provider each a process'
      : 'API, worker and agent in the benchmark process'
  }`;
}

export interface OrchestrationStack {
  layout: Layout;
  apiUrl: string;
  apiKey: string;
  temporal: Client;
  /** The Temporal frontend the stack runs on (host:port). */
  temporalAddress: string;
  /** Each process's pid by name (processes layout); the benchmark's own process otherwise. */
  pids: Record<string, number>;
  stop(): Promise<void>;
}

export async function startOrchestrationStack(opts: {
  layout: Layout;
  agentConcurrency: number;
  env?: Record<string, string>;
  log: (msg: string) => void;
}): Promise<OrchestrationStack> {
  if (opts.layout === 'in-process') {
    const stack = await startStack({ ...opts, orchestration: true });
    return {
      layout: opts.layout,
      apiUrl: stack.api.url,
      apiKey: stack.apiKey,
      temporal: stack.temporal,
      temporalAddress: stack.config.temporal.address,
      pids: { 'benchmark (api, worker, agent, demo)': process.pid },
      stop: () => stack.stop(),
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'inference-bench-'));
  const stops: (() => Promise<unknown>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn().catch(() => undefined);
  };
  try {
    opts.log('starting Temporal, PostgreSQL and MinIO ...');
    const infra = await startInfrastructure(dir);
    stops.push(() => infra.stop());
    opts.log('starting the worker, API, demo provider and agent processes ...');
    const demo = await startDemoProcess(dir, 'demo-provider');
    stops.push(() => demo.child.stop());
    const platform = await startPlatform(infra, dir, 'error', opts.env);
    stops.push(() => platform.stop());
    const agent = await platform.startAgent('bench-agent', demo.url, opts.agentConcurrency);
    const connection = await Connection.connect({ address: infra.temporalAddress });
    stops.push(() => connection.close());
    return {
      layout: opts.layout,
      apiUrl: platform.apiUrl,
      apiKey: platform.apiKey,
      temporal: new Client({ connection }),
      temporalAddress: infra.temporalAddress,
      pids: platformPids(infra, platform, agent.pid, demo.child.pid),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** CPU milliseconds each process spent while `work` ran. */
export async function measureCpu<T>(
  stack: OrchestrationStack,
  work: () => Promise<T>,
): Promise<{ result: T; cpu: Record<string, number> }> {
  const before = cpuMs(stack.pids);
  const result = await work();
  return { result, cpu: cpuDelta(before, cpuMs(stack.pids)) };
}

/** Rows of a per-process CPU table: milliseconds per unit of work for each process, and the total. */
export function cpuRows(samples: Record<string, number>[], units: number): string[][] {
  const names = Object.keys(samples[0] ?? {});
  const rows = names.map((name) => [name, (median(samples.map((s) => s[name])) / units).toFixed(2)]);
  const total = median(samples.map((s) => Object.values(s).reduce((a, b) => a + b, 0))) / units;
  return [...rows, ['total', total.toFixed(2)]];
}

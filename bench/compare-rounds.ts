/**
 * One measured scenario of the comparison benchmark on one target: warm-up, then the measured
 * requests, with each process's CPU (from /proc) and the machine's load read around them.
 */
import { runLoad, type BenchClient, type Mode, type Target } from './client';
import { cpuDelta, cpuMs, loadAverage } from './proc-cpu';
import { summarize, type Summary } from './stats';

/** A target and the processes whose CPU its requests cost (name -> root pid). */
export interface CompareTarget extends Target {
  label: string;
  processes: Record<string, number>;
}

export interface Scenario {
  mode: Mode;
  clients: number;
  requests: number;
  warmup: number;
}

export interface ScenarioRun {
  target: string;
  round: number;
  mode: Mode;
  clients: number;
  requests: number;
  errors: number;
  firstErrors: string[];
  rps: number;
  latency: Summary;
  /** CPU milliseconds per measured request, per process; "bench client" is the load generator. */
  cpuMsPerRequest: Record<string, number>;
  /** /proc/loadavg (1, 5, 15 min) just before the measured requests. */
  loadBefore: [number, number, number];
}

export const scenarioKey = (s: { mode: Mode; clients: number }) => `${s.mode}@${s.clients}`;

export async function runScenario(
  client: BenchClient,
  target: CompareTarget,
  scenario: Scenario,
  round: number,
): Promise<ScenarioRun> {
  const { mode, clients, requests, warmup } = scenario;
  if (warmup > 0) {
    const warm = await runLoad(client, target, mode, clients, warmup);
    if (warm.samples.length === 0)
      throw new Error(`${target.label}: every warm-up request failed: ${warm.firstErrors[0]}`);
  }
  const loadBefore = loadAverage();
  const cpuBefore = cpuMs(target.processes);
  const ownBefore = process.cpuUsage();
  const run = await runLoad(client, target, mode, clients, requests);
  const own = process.cpuUsage(ownBefore);
  const cpu = cpuDelta(cpuBefore, cpuMs(target.processes));
  const done = run.samples.length + run.errors;
  const cpuMsPerRequest: Record<string, number> = {};
  for (const [name, value] of Object.entries(cpu)) cpuMsPerRequest[name] = value / done;
  cpuMsPerRequest['bench client'] = (own.user + own.system) / 1000 / done;
  return {
    target: target.name,
    round,
    mode,
    clients,
    requests: done,
    errors: run.errors,
    firstErrors: run.firstErrors,
    rps: run.rps,
    latency: summarize(run.samples.map((s) => s.ms)),
    cpuMsPerRequest,
    loadBefore,
  };
}

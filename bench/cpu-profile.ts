/**
 * Where a sync request's CPU goes: the platform as separate processes (as in `--compare`) with
 * `node --cpu-prof` in the API, worker and agent, N sync chat requests from one client, then each
 * process's CPU from /proc, the top self-time functions and packages of each Node profile, and the
 * Temporal history of the last requests (events and workflow tasks per request).
 *
 *   npm run build --silent && node dist/bench/cpu-profile.js [--requests 1000] [--clients 1] [--keep DIR]
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { BenchClient, runLoad, type Target } from './client';
import { cpuDelta, cpuMs } from './proc-cpu';
import { platformPids, startDemoProcess, startInfrastructure, startPlatform } from './process-stack';
import { stopAll } from '../scripts/services';
import { ms, summarize } from './stats';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

/** Where a frame's code lives: an npm package, a project folder, Node itself, or V8's pseudo-frames. */
function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const own = /\/dist\/([^/]+)\//.exec(url);
  if (own) return `project ${own[1]}/`;
  if (url.includes('workflow-bundle')) return 'workflow bundle (sandbox)';
  return url.split('/').slice(-2).join('/');
}

function summarizeProfile(file: string, requests: number, top: number): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const perSample = totalMs / Math.max(1, profile.samples.length);
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + hits * perSample);
    const a = area(url, functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + hits * perSample);
  }
  const busy = [...byArea.entries()].filter(([a]) => a !== '(idle)').reduce((s, [, v]) => s + v, 0);
  const lines = [`  sampled busy time ${ms(busy)} ms = ${ms(busy / requests)} ms per request (idle excluded)`];
  lines.push('  by package / area (self time, ms per request):');
  for (const [a, v] of [...byArea.entries()]
    .filter(([x]) => x !== '(idle)')
    .sort((x, y) => y[1] - x[1])
    .slice(0, top))
    lines.push(`    ${ms(v / requests).padStart(6)}  ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${a}`);
  lines.push('  top functions (self time, ms per request):');
  for (const [f, v] of [...byFn.entries()]
    .filter(([x]) => !x.startsWith('(idle)'))
    .sort((x, y) => y[1] - x[1])
    .slice(0, top))
    lines.push(`    ${ms(v / requests).padStart(6)}  ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${f}`);
  return lines;
}

const EventType = temporal.api.enums.v1.EventType;

async function historyCounts(address: string, ids: string[]): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const counts = new Map<string, number[]>();
    for (const id of ids) {
      const history = await client.workflow.getHandle(id).fetchHistory();
      const perType = new Map<string, number>();
      for (const e of history.events ?? []) {
        const name = EventType[Number(e.eventType ?? 0)].replace('EVENT_TYPE_', '');
        perType.set(name, (perType.get(name) ?? 0) + 1);
      }
      perType.set('(all events)', history.events?.length ?? 0);
      for (const [name, n] of perType) counts.set(name, [...(counts.get(name) ?? []), n]);
    }
    return [...counts.entries()]
      .sort((a, b) => b[1].reduce((s, v) => s + v, 0) - a[1].reduce((s, v) => s + v, 0))
      .map(
        ([name, values]) => `    ${(values.reduce((s, v) => s + v, 0) / ids.length).toFixed(2).padStart(6)}  ${name}`,
      );
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i < 0 ? fallback : Number(process.argv[i + 1]);
  };
  const requests = arg('--requests', 1000);
  const clients = arg('--clients', 1);
  const keepAt = process.argv.indexOf('--keep');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'inference-cpuprof-'));
  const profDir = keepAt > 0 ? path.resolve(process.argv[keepAt + 1]) : path.join(dir, 'profiles');
  mkdirSync(profDir, { recursive: true });
  const log = (m: string) => process.stderr.write(`[cpu-profile] ${m}\n`);
  const infra = await startInfrastructure(dir);
  const demo = await startDemoProcess(dir, 'demo-provider');
  const platform = await startPlatform(infra, dir, 'error', {}, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
  const agent = await platform.startAgent('bench-rig', demo.url, 32);
  const client = new BenchClient(clients);
  const out: string[] = [];
  try {
    const target: Target = {
      name: 'platform',
      baseUrl: platform.apiUrl,
      headers: { authorization: `Bearer ${platform.apiKey}` },
    };
    await runLoad(client, target, 'sync', clients, 100);
    const pids = platformPids(infra, platform, agent.pid, demo.child.pid);
    const before = cpuMs(pids);
    log(`${requests} sync requests from ${clients} client(s)`);
    const run = await runLoad(client, target, 'sync', clients, requests);
    const cpu = cpuDelta(before, cpuMs(pids));
    const lat = summarize(run.samples.map((s) => s.ms));
    out.push(
      `${requests} sync chat requests, ${clients} client(s), ${run.errors} errors, ${run.rps.toFixed(0)} req/s, ` +
        `p50 ${ms(lat.p50)} ms, p99 ${ms(lat.p99)} ms; load ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
      'CPU ms per request from /proc (profilers on in the Node processes, which inflates their share):',
    );
    for (const [name, v] of Object.entries(cpu)) out.push(`  ${ms(v / requests).padStart(6)}  ${name}`);
    const ids = run.samples.slice(-20).flatMap((s) => (s.requestId ? [`chat-${s.requestId}`] : []));
    out.push(
      `Temporal history per sync request (mean over the last ${ids.length}):`,
      ...(await historyCounts(infra.temporalAddress, ids)),
    );
  } finally {
    client.close();
    await platform.stop(); // SIGTERM: each Node process exits and writes its profile
    await demo.child.stop();
    await infra.stop();
    await stopAll();
  }
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  for (const file of files) {
    const pid = Number(/^CPU\.\d+\.\d+\.(\d+)\./.exec(file)?.[1]);
    const name =
      pid === platform.api.pid
        ? 'api'
        : pid === platform.worker.pid
          ? 'worker'
          : pid === agent.pid
            ? 'agent'
            : `pid ${pid}`;
    out.push('', `${name} (${file}):`, ...summarizeProfile(path.join(profDir, file), requests, 15));
  }
  process.stdout.write(`${out.join('\n')}\n`);
  if (keepAt < 0) rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

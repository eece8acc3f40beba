/**
 * `npm run bench -- --compare`: the platform side by side with LiteLLM's proxy, on the same cores,
 * with one load generator (the benchmark client) and interleaved rounds.
 *
 * Targets, all in front of the same demo provider process: the provider called directly; LiteLLM
 * (PyPI, pinned, in .tools/litellm-venv) as a bare proxy with a master key, and with its Postgres
 * database_url (keys and spend logs) when that mode starts here; the platform as separate processes
 * (Temporal, PostgreSQL, MinIO, worker, API, agent with 32 polls, LOG_LEVEL=error); and `npm start`'s
 * own stack with its defaults. Each round measures every target (in a rotated order) at each scenario
 * (sync and streaming at 1 and 32 clients); each process's CPU is read from /proc around every run.
 * Then a paced phase: the demo provider at 5 tokens/s behind an agent started as the README shows
 * (`npm run agent`, --concurrency 2) and behind LiteLLM, for time to first token.
 *
 * Writes docs/bench/compare.{json,md,svg}; prints the markdown.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { BenchClient } from './client';
import { renderCompare, type CompareDoc, type Failure } from './compare-report';
import { runScenario, type CompareTarget, type Scenario, type ScenarioRun } from './compare-rounds';
import {
  createLitellmDatabase,
  ensureLitellm,
  LITELLM_VERSION,
  startLitellm,
  venvPython,
  type Litellm,
} from './litellm';
import {
  platformPids,
  startDemoProcess,
  startInfrastructure,
  startNpmStartStack,
  startPlatform,
} from './process-stack';
import { loadAverage } from './proc-cpu';
import { repoRoot, run, stopAll } from '../scripts/services';

interface CompareOptions {
  rounds: number;
  requests1: number;
  requests32: number;
  pacedRequests: number;
  pacedTokensPerSecond: number;
  npmStart: boolean;
  /** Also runs `npm start`'s stack with Temporal's SQLite in its default rollback-journal mode (A/B of the pragmas). */
  sqliteAb: boolean;
  litellmDb: boolean;
  out: string;
}

const USAGE = `Usage: npm run bench -- --compare [options]

  --rounds N              interleaved rounds (default 3, at least 3 for a median)
  --requests-1 N          measured requests per run at 1 client (default 200)
  --requests-32 N         measured requests per run at 32 clients (default 640)
  --paced-requests N      streamed requests per target and round through the paced upstream (default 8)
  --paced-tps N           the paced demo provider's tokens per second (default 5)
  --no-npm-start          skip the target running \`npm start\`'s stack
  --sqlite-ab             add \`npm start\`'s stack with TEMPORAL_SQLITE=default (rollback journal) as a target
  --no-litellm-db         skip LiteLLM with its Postgres database_url
  --out DIR               where compare.{json,md,svg} go (default docs/bench)`;

export function parseCompareArgs(argv: string[]): CompareOptions {
  const opts: CompareOptions = {
    rounds: 3,
    requests1: 200,
    requests32: 640,
    pacedRequests: 8,
    pacedTokensPerSecond: 5,
    npmStart: true,
    sqliteAb: false,
    litellmDb: true,
    out: path.join(repoRoot(), 'docs', 'bench'),
  };
  const int = (flag: string, value: string | undefined, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--rounds') opts.rounds = int(flag, argv[++i], 1);
    else if (flag === '--requests-1') opts.requests1 = int(flag, argv[++i], 10);
    else if (flag === '--requests-32') opts.requests32 = int(flag, argv[++i], 32);
    else if (flag === '--paced-requests') opts.pacedRequests = int(flag, argv[++i], 0);
    else if (flag === '--paced-tps') opts.pacedTokensPerSecond = int(flag, argv[++i], 1);
    else if (flag === '--no-npm-start') opts.npmStart = false;
    else if (flag === '--sqlite-ab') opts.sqliteAb = true;
    else if (flag === '--no-litellm-db') opts.litellmDb = false;
    else if (flag === '--out') opts.out = path.resolve(String(argv[++i]));
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown option '${flag}'\n${USAGE}`);
  }
  return opts;
}

const log = (msg: string) => process.stderr.write(`[compare] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);

/** The first lines that say why a start failed, without the log's banner. */
function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > 4000 ? `${text.slice(0, 4000)} ...` : text;
}

function scenarios(opts: CompareOptions): Scenario[] {
  return [
    { mode: 'sync', clients: 1, requests: opts.requests1, warmup: 20 },
    { mode: 'stream', clients: 1, requests: opts.requests1, warmup: 20 },
    { mode: 'sync', clients: 32, requests: opts.requests32, warmup: 64 },
    { mode: 'stream', clients: 32, requests: opts.requests32, warmup: 64 },
  ];
}

/** Runs every target through every scenario, `rounds` times, rotating the order of targets each round. */
async function interleave(
  client: BenchClient,
  targets: CompareTarget[],
  plan: Scenario[],
  rounds: number,
  phase: string,
): Promise<ScenarioRun[]> {
  const runs: ScenarioRun[] = [];
  for (let round = 1; round <= rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round - 1) % targets.length]);
    for (const target of order) {
      for (const scenario of plan) {
        const r = await runScenario(client, target, scenario, round);
        log(
          `${phase} round ${round}/${rounds} ${target.name} ${r.mode}@${r.clients}: p50 ${r.latency.p50.toFixed(1)} ms, ` +
            `${r.rps.toFixed(0)} req/s, ${r.errors} errors, load ${r.loadBefore[0]}`,
        );
        runs.push(r);
      }
    }
  }
  return runs;
}

export async function runCompare(argv: string[]): Promise<number> {
  const opts = parseCompareArgs(argv);
  await ensureLitellm(log);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'inference-compare-'));
  const stops: (() => Promise<unknown>)[] = [];
  const failures: Failure[] = [];
  let stopping = false;
  const stopEverything = async () => {
    if (stopping) return;
    stopping = true;
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
    await stopAll().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = () => void stopEverything().then(() => process.exit(130));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, onSignal);
  const client = new BenchClient(32);
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  try {
    log(`services in ${dir}`);
    const infra = await startInfrastructure(dir);
    stops.push(() => infra.stop());
    const demo = await startDemoProcess(dir, 'demo-provider');
    stops.push(() => demo.child.stop());
    const platform = await startPlatform(infra, dir, 'error');
    stops.push(() => platform.stop());
    const agent = await platform.startAgent('bench-rig', demo.url, 32);
    const litellm = await startLitellm({ upstream: `${demo.url}/v1`, dir, name: 'litellm' });
    stops.push(() => litellm.stop());
    /** Stopped before the paced phase (stopping twice is harmless). */
    const firstPhaseOnly: (() => Promise<unknown>)[] = [() => litellm.stop(), () => agent.stop()];

    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
    const targets: CompareTarget[] = [
      {
        name: 'direct',
        label: 'demo provider, direct',
        baseUrl: demo.url,
        headers: {},
        processes: { 'demo provider': demo.child.pid },
      },
      {
        name: 'litellm',
        label: `LiteLLM ${LITELLM_VERSION} proxy (1 worker, master key, no database)`,
        baseUrl: litellm.url,
        headers: bearer(litellm.apiKey),
        processes: { litellm: litellm.pid, 'demo provider': demo.child.pid },
      },
    ];

    let litellmDb: Litellm | undefined;
    if (opts.litellmDb) {
      try {
        const databaseUrl = await createLitellmDatabase(infra.databaseUrl);
        litellmDb = await startLitellm({ upstream: `${demo.url}/v1`, dir, name: 'litellm-db', databaseUrl });
        const started = litellmDb;
        stops.push(() => started.stop());
        firstPhaseOnly.push(() => started.stop());
        targets.push({
          name: 'litellm-db',
          label: `LiteLLM ${LITELLM_VERSION} with its Postgres database_url (virtual key, spend logs)`,
          baseUrl: started.url,
          headers: bearer(started.apiKey),
          processes: { litellm: started.pid, postgres: infra.pids.postgres, 'demo provider': demo.child.pid },
        });
      } catch (err) {
        failures.push({ what: 'LiteLLM with its Postgres database_url', error: reason(err) });
        log(`LiteLLM with database_url did not start: ${reason(err).split('\n')[0]}`);
      }
    }

    targets.push({
      name: 'platform',
      label: 'platform: separate processes, agent with 32 polls, LOG_LEVEL=error',
      baseUrl: platform.apiUrl,
      headers: bearer(platform.apiKey),
      processes: platformPids(infra, platform, agent.pid, demo.child.pid),
    });

    const npmStartVariants: { name: string; env: Record<string, string>; note: string }[] = [
      ...(opts.npmStart ? [{ name: 'npm-start', env: {}, note: 'Temporal on SQLite (WAL) with UI' }] : []),
      ...(opts.sqliteAb
        ? [
            {
              name: 'npm-start-journal',
              env: { TEMPORAL_SQLITE: 'default' },
              note: 'Temporal on SQLite in its default rollback journal, with UI',
            },
          ]
        : []),
    ];
    for (const variant of npmStartVariants) {
      try {
        const npmStart = await startNpmStartStack(
          path.join(dir, variant.name),
          path.join(dir, 'logs', `${variant.name}.log`),
          variant.env,
        );
        stops.push(() => npmStart.child.stop());
        firstPhaseOnly.push(() => npmStart.child.stop());
        const p = npmStart.pids;
        targets.push({
          name: variant.name,
          label: `\`npm start\`'s stack, its defaults (agent concurrency 8, LOG_LEVEL=info, ${variant.note})`,
          baseUrl: npmStart.apiUrl,
          headers: bearer(npmStart.apiKey),
          processes: {
            temporal: p.temporal,
            api: p.api,
            worker: p.worker,
            agent: p.agent,
            postgres: p.postgres,
            minio: p.minio,
            'demo provider': p['demo-provider'],
          },
        });
      } catch (err) {
        failures.push({ what: "`npm start`'s stack", error: reason(err) });
      }
    }

    log(`warming up ${targets.map((t) => t.name).join(', ')}`);
    for (const target of targets)
      await runScenario(client, target, { mode: 'sync', clients: 4, requests: 100, warmup: 0 }, 0);
    const runs = await interleave(client, targets, scenarios(opts), opts.rounds, 'instant upstream');

    // Paced: only what the phase measures keeps running.
    for (const stop of firstPhaseOnly) await stop().catch(() => undefined);
    let pacedRuns: ScenarioRun[] = [];
    if (opts.pacedRequests > 0) {
      const paced = await startDemoProcess(dir, 'demo-provider-paced', opts.pacedTokensPerSecond);
      stops.push(() => paced.child.stop());
      const readmeAgent = await platform.startAgent('home-rig', paced.url, 2);
      const pacedLitellm = await startLitellm({ upstream: `${paced.url}/v1`, dir, name: 'litellm-paced' });
      stops.push(() => pacedLitellm.stop());
      const pacedTargets: CompareTarget[] = [
        {
          name: 'direct',
          label: 'paced demo provider, direct',
          baseUrl: paced.url,
          headers: {},
          processes: { 'demo provider': paced.child.pid },
        },
        {
          name: 'litellm',
          label: 'LiteLLM in front of the paced demo provider',
          baseUrl: pacedLitellm.url,
          headers: bearer(pacedLitellm.apiKey),
          processes: { litellm: pacedLitellm.pid, 'demo provider': paced.child.pid },
        },
        {
          name: 'platform',
          label: 'platform, agent started as the README shows (npm run agent, --concurrency 2)',
          baseUrl: platform.apiUrl,
          headers: bearer(platform.apiKey),
          processes: {
            temporal: infra.pids.temporal,
            api: platform.api.pid,
            worker: platform.worker.pid,
            agent: readmeAgent.pid,
            postgres: infra.pids.postgres,
            minio: infra.pids.minio,
            'demo provider': paced.child.pid,
          },
        },
      ];
      for (const target of pacedTargets)
        await runScenario(client, target, { mode: 'stream', clients: 1, requests: 2, warmup: 0 }, 0);
      const plan: Scenario[] = [
        { mode: 'stream', clients: 1, requests: opts.pacedRequests, warmup: 0 },
        { mode: 'sync', clients: 1, requests: opts.pacedRequests * 4, warmup: 0 },
      ];
      pacedRuns = await interleave(client, pacedTargets, plan, opts.rounds, 'paced upstream');
    }

    const doc: CompareDoc = {
      date: startedAt.toISOString(),
      machine: {
        nproc: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? 'unknown',
        memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
        kernel: `${os.platform()} ${os.release()}`,
        node: process.version,
        loadAtStart,
        loadAtEnd: loadAverage(),
      },
      litellmVersion: LITELLM_VERSION,
      options: opts,
      targets: targets.map((t) => ({ name: t.name, label: t.label, processes: Object.keys(t.processes) })),
      failures,
      runs,
      paced: { tokensPerSecond: opts.pacedTokensPerSecond, agentConcurrency: 2, runs: pacedRuns },
    };
    mkdirSync(opts.out, { recursive: true });
    const jsonFile = path.join(opts.out, 'compare.json');
    // Formatted as `npm run lint`'s prettier --check wants the files under docs/.
    const pretty = async (text: string, file: string) =>
      format(text, { ...(await resolveConfig(file)), filepath: file });
    writeFileSync(jsonFile, await pretty(JSON.stringify(doc), jsonFile));
    const markdown = await pretty(renderCompare(doc), path.join(opts.out, 'compare.md'));
    writeFileSync(path.join(opts.out, 'compare.md'), markdown);
    const chart = await run(
      venvPython(),
      [path.join(repoRoot(), 'bench', 'compare-chart.py'), jsonFile, path.join(opts.out, 'compare.svg')],
      {
        timeoutMs: 120_000,
      },
    );
    if (chart.code !== 0) log(`chart failed: ${chart.stderr}`);
    process.stdout.write(markdown);
    const broken = [...runs, ...pacedRuns].filter((r) => r.errors > r.requests * 0.01);
    for (const r of broken)
      log(`ERRORS ${r.target} ${r.mode}@${r.clients} round ${r.round}: ${r.errors}, e.g. ${r.firstErrors[0]}`);
    return broken.length > 0 ? 1 : 0;
  } finally {
    client.close();
    await stopEverything();
  }
}

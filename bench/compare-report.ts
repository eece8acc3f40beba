/**
 * The comparison benchmark's report: medians over rounds, per-round ratios, per-process CPU per
 * request, as markdown (docs/bench/compare.md). Added latency is a target's percentile minus the
 * direct call's same percentile in the same round and scenario.
 */
import type { Mode } from './client';
import { scenarioKey, type ScenarioRun } from './compare-rounds';
import { median, ms } from './stats';

export interface Failure {
  what: string;
  error: string;
}

export interface CompareDoc {
  date: string;
  machine: {
    nproc: number;
    cpu: string;
    memoryGiB: number;
    kernel: string;
    node: string;
    loadAtStart: number[];
    loadAtEnd: number[];
  };
  litellmVersion: string;
  options: { rounds: number; requests1: number; requests32: number; pacedRequests: number };
  targets: { name: string; label: string; processes: string[] }[];
  failures: Failure[];
  runs: ScenarioRun[];
  paced: { tokensPerSecond: number; agentConcurrency: number; runs: ScenarioRun[] };
}

type Pct = 'p50' | 'p95' | 'p99';
const PCTS: Pct[] = ['p50', 'p95', 'p99'];

function find(runs: ScenarioRun[], target: string, key: string, round: number): ScenarioRun | undefined {
  return runs.find((r) => r.target === target && scenarioKey(r) === key && r.round === round);
}

const rounds = (runs: ScenarioRun[]) => [...new Set(runs.map((r) => r.round))].sort((a, b) => a - b);

/** Per round: the target's percentile minus direct's, same scenario. */
export function addedPerRound(runs: ScenarioRun[], target: string, key: string, pct: Pct): number[] {
  return rounds(runs).flatMap((round) => {
    const t = find(runs, target, key, round);
    const d = find(runs, 'direct', key, round);
    return t && d ? [t.latency[pct] - d.latency[pct]] : [];
  });
}

function perRound(runs: ScenarioRun[], target: string, key: string, value: (r: ScenarioRun) => number): number[] {
  return rounds(runs).flatMap((round) => {
    const r = find(runs, target, key, round);
    return r ? [value(r)] : [];
  });
}

const fmtMs = (v: number) => (Number.isFinite(v) ? `${ms(v)}` : '-');
const fmtRatio = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '-');

function mdTable(rows: string[][]): string {
  const [head, ...body] = rows;
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** Medians of the added p50/p95/p99 as "a / b / c". */
function addedCell(runs: ScenarioRun[], target: string, key: string): string {
  if (target === 'direct') {
    const abs = PCTS.map((p) => median(perRound(runs, 'direct', key, (r) => r.latency[p])));
    return `(${abs.map(fmtMs).join(' / ')} absolute)`;
  }
  return PCTS.map((p) => fmtMs(median(addedPerRound(runs, target, key, p)))).join(' / ');
}

function rpsCell(runs: ScenarioRun[], target: string, key: string): string {
  const v = median(perRound(runs, target, key, (r) => r.rps));
  return Number.isFinite(v) ? v.toFixed(0) : '-';
}

export function cpuPerRequest(runs: ScenarioRun[], target: string, key: string): Record<string, number> {
  const mine = runs.filter((r) => r.target === target && scenarioKey(r) === key);
  const names = [...new Set(mine.flatMap((r) => Object.keys(r.cpuMsPerRequest)))];
  const out: Record<string, number> = {};
  for (const name of names) out[name] = median(mine.map((r) => r.cpuMsPerRequest[name] ?? Number.NaN));
  return out;
}

const PROCESS_ORDER = ['temporal', 'api', 'worker', 'agent', 'postgres', 'minio', 'litellm', 'demo provider'];

function cpuTable(doc: CompareDoc, runs: ScenarioRun[], key: string): string {
  const targets = doc.targets.map((t) => t.name).filter((n) => runs.some((r) => r.target === n));
  const rows = [['process', ...targets]];
  const cpus = Object.fromEntries(targets.map((t) => [t, cpuPerRequest(runs, t, key)]));
  for (const name of PROCESS_ORDER) {
    if (!targets.some((t) => name in cpus[t])) continue;
    rows.push([name, ...targets.map((t) => (name in cpus[t] ? fmtMs(cpus[t][name]) : ''))]);
  }
  const total = (t: string) =>
    Object.entries(cpus[t])
      .filter(([n]) => n !== 'bench client')
      .reduce((sum, [, v]) => sum + v, 0);
  rows.push(['**total (without the client)**', ...targets.map((t) => `**${fmtMs(total(t))}**`)]);
  rows.push(['bench client (load generator)', ...targets.map((t) => fmtMs(cpus[t]['bench client']))]);
  return mdTable(rows);
}

function ratioRows(runs: ScenarioRun[], over: string, against: string): string[][] {
  const rows: string[][] = [];
  for (const key of ['sync@1', 'stream@1']) {
    const a = addedPerRound(runs, over, key, 'p50');
    const b = addedPerRound(runs, against, key, 'p50');
    const ratios = a.map((v, i) => v / b[i]);
    rows.push([`${over} / ${against}`, `added p50 ${key}`, ...ratios.map(fmtRatio), `**${fmtRatio(median(ratios))}**`]);
  }
  for (const key of ['sync@32', 'stream@32']) {
    const a = perRound(runs, over, key, (r) => r.rps);
    const b = perRound(runs, against, key, (r) => r.rps);
    const ratios = a.map((v, i) => v / b[i]);
    rows.push([`${over} / ${against}`, `req/s ${key}`, ...ratios.map(fmtRatio), `**${fmtRatio(median(ratios))}**`]);
  }
  return rows;
}

const MODE_NAME: Record<Mode, string> = { sync: 'sync chat', stream: 'streaming TTFT' };

export function renderCompare(doc: CompareDoc): string {
  const { runs } = doc;
  const names = doc.targets.map((t) => t.name);
  const has = (n: string) => runs.some((r) => r.target === n);
  const out: string[] = [];
  const m = doc.machine;
  out.push(
    '# The platform side by side with LiteLLM',
    '',
    `Written by \`npm run bench -- --compare\` on ${doc.date.slice(0, 16).replace('T', ' ')} UTC. Machine: \`nproc\` ${m.nproc} ` +
      `(${m.cpu}), ${m.memoryGiB} GiB, ${m.kernel}, Node ${m.node}; load average ${m.loadAtStart.join(' ')} at the start, ` +
      `${m.loadAtEnd.join(' ')} at the end. Every process (load generator included) runs on these cores. ` +
      `${doc.options.rounds} interleaved rounds (the order of targets rotates each round); ${doc.options.requests1} measured ` +
      `requests per run at 1 client, ${doc.options.requests32} at 32. Figures are medians over rounds; added = the target's ` +
      "percentile minus the direct call's, same round. Judge by the ratios (same round, same machine phase), not by absolute ms.",
    '',
    'Targets:',
    '',
    ...doc.targets.map((t) => `- \`${t.name}\`: ${t.label}`),
    '',
  );
  if (doc.failures.length > 0) {
    out.push('Not measured:', '');
    for (const f of doc.failures) out.push(`- ${f.what} did not start here:`, '', '```', f.error.trim(), '```', '');
  }
  const latencyRows = (clients: number) => {
    const rows = [
      ['target', ...(['sync', 'stream'] as Mode[]).map((mode) => `${MODE_NAME[mode]} added p50 / p95 / p99 ms`)],
    ];
    if (clients > 1) rows[0].push('sync req/s', 'stream req/s');
    for (const n of names.filter(has)) {
      const row = [n, addedCell(runs, n, `sync@${clients}`), addedCell(runs, n, `stream@${clients}`)];
      if (clients > 1) row.push(rpsCell(runs, n, `sync@${clients}`), rpsCell(runs, n, `stream@${clients}`));
      rows.push(row);
    }
    return mdTable(rows);
  };
  out.push(
    '## One client',
    '',
    latencyRows(1),
    '',
    '## 32 clients (saturation: req/s is throughput)',
    '',
    latencyRows(32),
    '',
  );
  out.push(
    '## CPU milliseconds per request, per process',
    '',
    'From /proc/<pid>/stat (utime + stime of the process and its descendants, plus its reaped children), read before and ' +
      'after each run, divided by the requests of the run; median over rounds. Postgres is the postmaster with all its backends.',
    '',
    '### sync chat, 32 clients',
    '',
    cpuTable(doc, runs, 'sync@32'),
    '',
    '### sync chat, 1 client',
    '',
    cpuTable(doc, runs, 'sync@1'),
    '',
  );
  const ratioTable: string[][] = [['ratio', 'metric', ...rounds(runs).map((r) => `round ${r}`), 'median']];
  for (const over of ['platform', 'npm-start'].filter(has)) {
    for (const against of ['litellm', 'litellm-db'].filter(has)) ratioTable.push(...ratioRows(runs, over, against));
  }
  // The A/B of Temporal's SQLite pragmas on `npm start`'s stack (--sqlite-ab).
  if (has('npm-start') && has('npm-start-journal'))
    ratioTable.push(...ratioRows(runs, 'npm-start', 'npm-start-journal'));
  out.push(
    '## Ratios per round',
    '',
    'Added latency ratio: above 1.0 the platform adds more than LiteLLM. Throughput ratio: below 1.0 the platform serves fewer requests per second.',
    '',
    mdTable(ratioTable),
    '',
  );
  const loadRows = [['round', ...names.filter(has)]];
  for (const round of rounds(runs)) {
    loadRows.push([
      String(round),
      ...names.filter(has).map((n) => {
        const r = find(runs, n, 'sync@1', round);
        return r ? r.loadBefore.map((l) => l.toFixed(2)).join(' ') : '-';
      }),
    ]);
  }
  out.push('## Load average before each round (sync@1 run of each target)', '', mdTable(loadRows), '');

  const paced = doc.paced.runs;
  if (paced.length > 0) {
    const rows = [
      ['target', 'time to first token p50 / p95 / p99 ms', 'TTFT added p50 / p95 / p99', 'sync added p50 / p95 / p99'],
    ];
    for (const n of ['direct', 'litellm', 'platform']) {
      const abs = PCTS.map((p) => fmtMs(median(perRound(paced, n, 'stream@1', (r) => r.latency[p])))).join(' / ');
      rows.push([
        n,
        abs,
        n === 'direct' ? '' : addedCell(paced, n, 'stream@1'),
        n === 'direct' ? addedCell(paced, n, 'sync@1') : addedCell(paced, n, 'sync@1'),
      ]);
    }
    const ratio = addedPerRound(paced, 'platform', 'stream@1', 'p50').map(
      (v, i) => v / addedPerRound(paced, 'litellm', 'stream@1', 'p50')[i],
    );
    out.push(
      `## Paced upstream: ${doc.paced.tokensPerSecond} tokens/s, agent started as the README shows (concurrency ${doc.paced.agentConcurrency})`,
      '',
      `The demo provider streams at ${doc.paced.tokensPerSecond} tokens/s; the platform's agent is \`npm run agent -- --api-url ... --key ... ` +
        `--name home-rig --upstream ... --concurrency ${doc.paced.agentConcurrency}\`, LOG_LEVEL=error API and worker. ` +
        `${doc.options.pacedRequests} streams and ${doc.options.pacedRequests * 4} sync calls per target and round, one client.`,
      '',
      mdTable(rows),
      '',
      `TTFT added p50 ratio platform / LiteLLM per round: ${ratio.map(fmtRatio).join(', ')} (median **${fmtRatio(median(ratio))}**).`,
      '',
    );
  }
  out.push('![added latency, throughput and CPU per request](compare.svg)', '');
  return `${out.join('\n')}\n`;
}

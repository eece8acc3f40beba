/**
 * Latency benchmark: what a durable workflow in the path adds to a chat completion.
 *
 * Boots a throwaway real platform (Temporal dev server, PostgreSQL, MinIO, worker, API, demo
 * provider, provider agent), then measures sync chat completions and streaming time-to-first-token
 * against the demo provider directly and through the platform, at each concurrency level, and
 * prints p50/p95/p99, the added latency at each percentile, requests per second and PASS/FAIL
 * against the targets in docs/architecture.md ("Latency budget"). Finally profiles where the added time goes.
 *
 *   npm run bench                       # build, then run with the defaults
 *   node dist/bench/latency.js --requests 500 --warmup 100 --concurrency 1,8,32 --json
 *
 * A benchmark run on purpose, never part of the test suite. Exits 0 whatever the figures are;
 * 1 only when the benchmark itself broke (boot failure, failed requests).
 */
import os from 'node:os';
import { runCompare } from './compare';
import { BenchClient, runLoad, type Mode, type RunResult, type Target } from './client';
import { profilePlatform, MARK_NOTES, type Profile } from './profile';
import { startStack, type BenchStack } from './stack';
import { stopAll } from '../scripts/services';
import { ms, summarize, table, type Summary } from './stats';

const TARGET_P50_MS = 10;
const TARGET_P99_MS = 30;
/** More failed requests than this in any run means the figures aren't worth printing as valid. */
const MAX_ERROR_RATE = 0.01;

interface Options {
  requests?: number;
  warmup?: number;
  concurrency: number[];
  modes: Mode[];
  profile: number;
  agentConcurrency?: number;
  upstreamLatencyMs: number;
  temporalAddress?: string;
  temporalDynamicConfig: string[];
  json: boolean;
}

const USAGE = `Usage: node dist/bench/latency.js [options]

  --requests N           measured requests per scenario (default 300 at 1 client, 1000 above)
  --warmup N             unmeasured requests before each scenario (default max(50, 4 x clients))
  --concurrency 1,32     concurrent client counts to measure (default 1,32)
  --modes sync,stream    what to measure (default both)
  --profile N            sequential platform requests per mode for the breakdown (default 50, 0 = off)
  --agent-concurrency N  long-polls the provider agent keeps waiting (default max(32, clients))
  --upstream-latency-ms N
                         the demo provider's own time per answer (default 0: measures the platform
                         alone; at 32 clients that saturates this machine, so the figures there are its
                         throughput). A model's answer takes hundreds of ms to seconds: 1000 measures
                         what 32 concurrent requests add when the machine is not saturated.
  --temporal-address H:P use a running Temporal (search attributes registered) instead of a fresh dev server
  --temporal-dynamic-config KEY=VALUE
                         start the dev server with this dynamic config value (repeatable), e.g.
                         history.transferProcessorMaxPollRPS=1000
  --json                 print one JSON document on stdout instead of the tables
  --compare              side by side with LiteLLM's proxy instead (see --compare --help)
  --help`;

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    concurrency: [1, 32],
    modes: ['sync', 'stream'],
    profile: 50,
    upstreamLatencyMs: 0,
    temporalDynamicConfig: [],
    json: false,
  };
  const positive = (flag: string, value: string | undefined, min = 1): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}, got '${value ?? ''}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--requests':
        opts.requests = positive(flag, value());
        break;
      case '--warmup':
        opts.warmup = positive(flag, value(), 0);
        break;
      case '--concurrency':
        opts.concurrency = String(value() ?? '')
          .split(',')
          .map((c) => positive(flag, c.trim()));
        break;
      case '--modes': {
        const modes = String(value() ?? '').split(',');
        if (!modes.every((m): m is Mode => m === 'sync' || m === 'stream'))
          throw new Error(`--modes takes sync and/or stream`);
        opts.modes = modes;
        break;
      }
      case '--profile':
        opts.profile = positive(flag, value(), 0);
        break;
      case '--agent-concurrency':
        opts.agentConcurrency = positive(flag, value());
        break;
      case '--upstream-latency-ms':
        opts.upstreamLatencyMs = positive(flag, value(), 0);
        break;
      case '--temporal-address':
        opts.temporalAddress = String(value() ?? '');
        break;
      case '--temporal-dynamic-config': {
        const v = String(value() ?? '');
        if (!/^[\w.]+=.+$/.test(v)) throw new Error(`--temporal-dynamic-config takes KEY=VALUE, got '${v}'`);
        opts.temporalDynamicConfig.push(v);
        break;
      }
      case '--json':
        opts.json = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option '${arg}'\n${USAGE}`);
    }
  }
  return opts;
}

interface PathResult {
  requests: number;
  errors: number;
  firstErrors: string[];
  seconds: number;
  rps: number;
  latency: Summary;
  /** Stream only: until the stream ended. */
  total?: Summary;
}

interface ScenarioResult {
  mode: Mode;
  concurrency: number;
  warmup: number;
  direct: PathResult;
  platform: PathResult;
  added: { p50: number; p95: number; p99: number };
  pass: { p50: boolean; p99: boolean };
}

function pathResult(run: RunResult, mode: Mode): PathResult {
  return {
    requests: run.samples.length + run.errors,
    errors: run.errors,
    firstErrors: run.firstErrors,
    seconds: run.seconds,
    rps: run.rps,
    latency: summarize(run.samples.map((s) => s.ms)),
    total: mode === 'stream' ? summarize(run.samples.map((s) => s.totalMs ?? Number.NaN)) : undefined,
  };
}

function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model ?? 'unknown',
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

const MODE_TITLE: Record<Mode, string> = {
  sync: 'Sync chat completion (buffered): time until the whole response arrived',
  stream: 'Streaming chat completion: time to first token (first data: chunk with content)',
};

function verdict(value: number, limit: number): string {
  return value <= limit ? 'PASS' : 'FAIL';
}

function renderScenarioTable(results: ScenarioResult[], mode: Mode): string {
  const rows: string[][] = [['clients', 'path', 'requests', 'errors', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms']];
  for (const r of results.filter((x) => x.mode === mode)) {
    for (const name of ['direct', 'platform'] as const) {
      const p = r[name];
      rows.push([
        String(r.concurrency),
        name,
        String(p.requests),
        String(p.errors),
        p.rps.toFixed(0),
        ms(p.latency.p50),
        ms(p.latency.p95),
        ms(p.latency.p99),
      ]);
    }
    rows.push([
      String(r.concurrency),
      'ADDED',
      '',
      '',
      '',
      `${ms(r.added.p50)} ${verdict(r.added.p50, TARGET_P50_MS)}`,
      ms(r.added.p95),
      `${ms(r.added.p99)} ${verdict(r.added.p99, TARGET_P99_MS)}`,
    ]);
  }
  return table(rows, 2);
}

function renderProfile(profile: Profile, directP50: number | undefined): string {
  const rows: string[][] = [['event (ordered by median time)', 'at ms', 'step ms', 'step p95', 'what happened']];
  for (const s of profile.steps) {
    const note = MARK_NOTES[s.step] ?? '';
    const seen = s.seen < profile.requests ? ` [seen in ${s.seen}/${profile.requests}]` : '';
    rows.push([s.step, ms(s.atMs), ms(s.stepMs), ms(s.stepP95Ms), note + seen]);
  }
  const direct = directP50 === undefined ? '' : `; the direct call's p50 at 1 client was ${ms(directP50)} ms`;
  return `Where the time goes: ${profile.mode}, ${profile.requests} sequential platform requests${direct}\n${table(rows, 1)}`;
}

function renderText(
  info: ReturnType<typeof machine>,
  results: ScenarioResult[],
  profiles: Profile[],
  opts: Options,
  agentConcurrency: number,
): string {
  const out: string[] = [];
  out.push('Inference platform latency benchmark: platform vs the demo provider called directly');
  out.push(
    `machine: ${info.cores} cores (${info.cpu}), ${info.memoryGiB} GiB RAM, ${info.platform}, node ${info.node}; ` +
      `load average ${info.loadAverageAtStart.join(' ')} at start, ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} at end`,
  );
  out.push(
    `note: everything runs on this one ${info.cores}-core machine (benchmark client, API, worker, provider agent, Temporal dev server,`,
    '      PostgreSQL, MinIO, demo provider), so the figures include CPU contention between them and with',
    '      anything else running on the machine (see the load average).',
  );
  out.push(
    `setup: demo provider latency ${opts.upstreamLatencyMs} ms, tokensPerSecond 0; agent keeps ${agentConcurrency} long-polls waiting; ` +
      `node:http keep-alive clients; body {model: demo-chat, "Say hello."}`,
  );
  out.push(
    `targets (docs/architecture.md, "Latency budget"): added p50 <= ${TARGET_P50_MS} ms, added p99 <= ${TARGET_P99_MS} ms (added = platform - direct at the same percentile)`,
  );
  for (const mode of opts.modes) {
    out.push('', MODE_TITLE[mode], renderScenarioTable(results, mode));
  }
  const broken = results.flatMap((r) =>
    (['direct', 'platform'] as const)
      .filter((p) => r[p].errors > 0)
      .map((p) => `${r.mode} ${p} @${r.concurrency}: ${r[p].errors} errors, e.g. ${r[p].firstErrors[0]}`),
  );
  if (broken.length > 0) out.push('', 'ERRORS:', ...broken.map((b) => `  ${b}`));
  for (const profile of profiles) {
    const direct = results.find((r) => r.mode === profile.mode && r.concurrency === 1)?.direct.latency.p50;
    out.push('', renderProfile(profile, direct));
  }
  return out.join('\n');
}

/** Set by SIGINT, whose handler stops the services and exits 130. */
let interrupted = false;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--compare')) return runCompare(argv.filter((a) => a !== '--compare'));
  const opts = parseArgs(argv);
  const maxClients = Math.max(...opts.concurrency);
  const agentConcurrency = opts.agentConcurrency ?? Math.max(32, maxClients);
  const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

  const booted: { stack?: BenchStack } = {};
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping the services ...`);
    const done = () => process.exit(130);
    (booted.stack ? booted.stack.stop() : stopAll()).then(done, done);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // A closed stdout (`| head`) must not skip the clean-up of the services.
  process.stdout.on('error', () => undefined);

  const info = machine();
  const stack = await startStack({
    agentConcurrency,
    upstreamLatencyMs: opts.upstreamLatencyMs,
    temporalAddress: opts.temporalAddress,
    temporalDynamicConfig: opts.temporalDynamicConfig,
    log,
  });
  booted.stack = stack;
  if (interrupted) return 130;
  const client = new BenchClient(maxClients);
  try {
    const direct: Target = {
      name: 'direct',
      baseUrl: stack.demo.url,
      headers: { authorization: `Bearer ${stack.apiKey}` },
    };
    const platform: Target = {
      name: 'platform',
      baseUrl: stack.api.url,
      headers: { authorization: `Bearer ${stack.apiKey}` },
    };
    log(`platform API ${stack.api.url}, demo provider ${stack.demo.url}, services in ${stack.dir}`);

    const results: ScenarioResult[] = [];
    for (const concurrency of opts.concurrency) {
      for (const mode of opts.modes) {
        if (interrupted) return 130;
        const requests = opts.requests ?? (concurrency === 1 ? 300 : 1000);
        const warmup = opts.warmup ?? Math.max(50, 4 * concurrency);
        const measure = async (target: Target): Promise<PathResult> => {
          log(`${mode} ${target.name} @${concurrency}: ${warmup} warm-up + ${requests} measured requests`);
          const warm = await runLoad(client, target, mode, concurrency, warmup);
          if (warmup > 0 && warm.samples.length === 0)
            throw new Error(`every warm-up request failed: ${warm.firstErrors.join(' | ')}`);
          return pathResult(await runLoad(client, target, mode, concurrency, requests), mode);
        };
        const d = await measure(direct);
        const p = await measure(platform);
        const added = {
          p50: p.latency.p50 - d.latency.p50,
          p95: p.latency.p95 - d.latency.p95,
          p99: p.latency.p99 - d.latency.p99,
        };
        results.push({
          mode,
          concurrency,
          warmup,
          direct: d,
          platform: p,
          added,
          pass: { p50: added.p50 <= TARGET_P50_MS, p99: added.p99 <= TARGET_P99_MS },
        });
      }
    }

    const profiles: Profile[] = [];
    if (opts.profile > 0) {
      for (const mode of opts.modes) {
        if (interrupted) return 130;
        log(`profiling ${mode}: ${opts.profile} sequential platform requests with timestamps`);
        profiles.push(await profilePlatform(client, platform, stack.temporal, stack.agent, mode, opts.profile));
      }
    }

    if (opts.json) {
      const doc = {
        machine: info,
        note: 'Everything runs on one machine (client, API, worker, agent, Temporal dev server, PostgreSQL, MinIO, demo provider); figures include CPU contention.',
        targets: { addedP50Ms: TARGET_P50_MS, addedP99Ms: TARGET_P99_MS },
        options: { ...opts, agentConcurrency },
        results,
        profiles,
      };
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderText(info, results, profiles, opts, agentConcurrency)}\n`);
    }
    const tooManyErrors = results.some((r) =>
      [r.direct, r.platform].some((p) => p.errors > p.requests * MAX_ERROR_RATE),
    );
    if (tooManyErrors)
      log(`more than ${MAX_ERROR_RATE * 100}% of the requests of a run failed: the figures are not valid`);
    return tooManyErrors ? 1 : 0;
  } finally {
    client.close();
    log('stopping the services ...');
    await stack.stop();
  }
}

main().then(
  (code) => {
    if (!interrupted) process.exit(code);
  },
  (err: unknown) => {
    if (interrupted) return; // the SIGINT handler exits once the services are down
    process.stderr.write(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
/** Installed by scripts/setup.sh into the git-ignored .tools/venv, pinned there. */
export const SCHEMATHESIS = path.join(ROOT, '.tools', 'venv', 'bin', 'schemathesis');

/** The checks the run applies: any 5xx, an undeclared status, content type, header or body fails. */
export const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'response_headers_conformance',
];

export interface RunOptions {
  schemaUrl: string;
  apiKey: string;
  /** Fixed, so a failure in CI replays exactly with the same command. */
  seed: number;
  maxExamples: number;
  requestTimeoutS: number;
  /** The whole run is killed past this, and the test fails on it. */
  processTimeoutMs: number;
  /** Reports, log and Hypothesis' scratch files go here (Schemathesis runs in it). */
  outDir: string;
}

export interface RunResult {
  args: string[];
  exitCode: number | null;
  timedOut: boolean;
  elapsedMs: number;
  reports: { junit: string; ndjson: string; json: string; log: string };
}

export function schemathesisArgs(o: RunOptions, reports: RunResult['reports']): string[] {
  return [
    '--config-file',
    path.join(__dirname, 'schemathesis.toml'),
    'run',
    o.schemaUrl,
    '--header',
    `Authorization: Bearer ${o.apiKey}`,
    '--checks',
    CHECKS.join(','),
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--mode',
    'all',
    '--max-examples',
    String(o.maxExamples),
    '--seed',
    String(o.seed),
    // Keep fuzzing an operation after its first failure, so one bug does not hide the next.
    '--continue-on-failure',
    // One worker keeps the order of requests, and so a failing run, the same every time.
    '--workers',
    '1',
    '--request-timeout',
    String(o.requestTimeoutS),
    // No example database: a run must not depend on what an earlier run found.
    '--generation-database',
    'none',
    '--report',
    'junit,ndjson,json',
    '--report-junit-path',
    reports.junit,
    '--report-ndjson-path',
    reports.ndjson,
    '--report-json-path',
    reports.json,
    '--output-truncate',
    'false',
    '--no-color',
  ];
}

export async function runSchemathesis(o: RunOptions): Promise<RunResult> {
  if (!existsSync(SCHEMATHESIS)) {
    throw new Error(`${SCHEMATHESIS} is missing: run \`npm run setup\` (scripts/setup.sh installs it)`);
  }
  const reports = {
    junit: path.join(o.outDir, 'schemathesis.junit.xml'),
    ndjson: path.join(o.outDir, 'schemathesis.events.ndjson'),
    json: path.join(o.outDir, 'schemathesis.run.json'),
    log: path.join(o.outDir, 'schemathesis.log'),
  };
  const args = schemathesisArgs(o, reports);
  const started = Date.now();
  const child = spawn(SCHEMATHESIS, args, {
    cwd: o.outDir,
    env: {
      ...process.env,
      SCHEMATHESIS_HOOKS: path.join(__dirname, 'hooks.py'),
      // Python's string hashing orders some of Schemathesis' sets; fixing it keeps a fixed seed's promise.
      PYTHONHASHSEED: '0',
      // Keeps a __pycache__ out of test/fuzz/.
      PYTHONDONTWRITEBYTECODE: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(reports.log);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, o.processTimeoutMs);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  }).finally(() => clearTimeout(timer));
  await new Promise<void>((resolve) => log.end(resolve));
  return { args, exitCode, timedOut, elapsedMs: Date.now() - started, reports };
}

/** The same run from the repository root, against a stack of your own: set KEY and the URL. */
export function replayCommand(args: string[]): string {
  const quoted = args.map((a) => (a.startsWith('Authorization:') ? '"Authorization: Bearer $KEY"' : a));
  return `SCHEMATHESIS_HOOKS=test/fuzz/hooks.py PYTHONHASHSEED=0 ${path.relative(ROOT, SCHEMATHESIS)} ${quoted.join(' ')}`;
}

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestStack, type TestMember } from '../support/test-stack';
import { formatSummary } from './format';
import { summarize } from './report';
import { replayCommand, runSchemathesis } from './schemathesis';

/**
 * Schemathesis against the real platform: every operation of /openapi.json, positive and negative
 * inputs, a fixed seed. It fails on any 5xx, any request that hangs past
 * the request timeout, and any status, content type, header or body the document does not declare,
 * which includes a 4xx whose body is not the OpenAI error envelope.
 *
 * The reports, the log and a summary land in .data/test-artifacts/fuzz/ (git-ignored).
 */

const ARTIFACTS = path.resolve(__dirname, '..', '..', '.data', 'test-artifacts', 'fuzz');
const SEED = 20260101;
const RUN_TIMEOUT_MS = 240_000;

let stack: TestStack;
let member: TestMember;

beforeAll(async () => {
  // Temporal refuses a task poll whose deadline is under 2 s, so 3 s is as short as agent polls go.
  stack = await TestStack.start({ env: { AGENT_POLL_MS: '3000' } });
  member = await stack.member('fuzz');
  // The demo models online, so a generated request naming one reaches a provider.
  await stack.agent(member);
});
afterAll(async () => {
  await stack?.stop();
});

test(
  'Schemathesis finds no server error, hang or undocumented answer',
  async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    const operations = await documentedOperations(`${stack.url}/openapi.json`);

    const run = await runSchemathesis({
      schemaUrl: `${stack.url}/openapi.json`,
      apiKey: member.key,
      seed: SEED,
      maxExamples: 10,
      requestTimeoutS: 5,
      processTimeoutMs: RUN_TIMEOUT_MS,
      outDir: ARTIFACTS,
    });
    const log = readFileSync(run.reports.log, 'utf8');
    if (!existsSync(run.reports.ndjson))
      throw new Error(`schemathesis wrote no report (exit ${run.exitCode}):\n${log}`);

    const runReport = existsSync(run.reports.json) ? readFileSync(run.reports.json, 'utf8') : undefined;
    const summary = summarize(readFileSync(run.reports.ndjson, 'utf8'), runReport, member.key);
    const header = [
      `schemathesis exited ${run.timedOut ? 'killed after the process timeout' : run.exitCode} in ${Math.round(run.elapsedMs / 1000)} s`,
      `reports: ${ARTIFACTS}`,
      `replay: ${replayCommand(run.args)}`,
    ].join('\n');
    writeFileSync(path.join(ARTIFACTS, 'summary.json'), JSON.stringify(summary, null, 2));
    writeFileSync(path.join(ARTIFACTS, 'summary.txt'), `${header}\n${formatSummary(summary, true)}\n`);
    console.log(`${header}\n${formatSummary(summary)}`);

    // One assertion, so a failing run shows everything at once. An operation with no request at all
    // (a schema Schemathesis cannot use) must not pass as "nothing failed".
    expect({
      timedOut: run.timedOut,
      untested: operations.filter((op) => !summary.operations.includes(op)),
      failures: summary.failures.map(oneLine),
      errors: summary.errors.map(oneLine),
    }).toEqual({ timedOut: false, untested: [], failures: [], errors: [] });
    expect(run.exitCode).toBe(0);
  },
  RUN_TIMEOUT_MS + 30_000,
);

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * `POST /v1/chat/completions` for every operation of the document, as Schemathesis labels them,
 * less the one serving the document itself: Schemathesis leaves that out unless asked for it.
 */
async function documentedOperations(url: string): Promise<string[]> {
  const document = (await (await fetch(url)).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths)
    .flatMap(([route, item]) =>
      Object.keys(item)
        .filter((key) => METHODS.includes(key))
        .map((method) => `${method.toUpperCase()} ${route}`),
    )
    .filter((operation) => operation !== `GET ${new URL(url).pathname}`);
}

/** Jest prints these in its diff; the whole reproduction is in summary.txt. */
function oneLine(item: { operation: string; check?: string; type?: string; status?: number | null }): string {
  return [item.operation, item.check ?? item.type, item.status ?? ''].join(' ').trim();
}

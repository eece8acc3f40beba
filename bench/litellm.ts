/**
 * LiteLLM's proxy for the comparison benchmark: installed from PyPI on first use into a virtualenv
 * of its own (.tools/litellm-venv, apart from the test tools' .tools/venv), with the Prisma client its
 * database mode needs and matplotlib for the benchmark's chart, then started on loopback in front of the demo provider.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  canConnect,
  freePort,
  postgresBinDir,
  repoRoot,
  run,
  runChecked,
  spawnChild,
  type Child,
} from '../scripts/services';

/** The newest 1.108 whose `proxy` extra resolves on the registries this machine reaches. */
export const LITELLM_VERSION = '1.108.7';
const MATPLOTLIB_VERSION = '3.11.2';
/** What LiteLLM's database mode needs (its `extra_proxy`): the Prisma client, whose engines it downloads. */
const PRISMA_VERSION = '0.15.0';
const HOST = '127.0.0.1';

export function litellmVenv(): string {
  return path.join(repoRoot(), '.tools', 'litellm-venv');
}

export function venvPython(): string {
  return path.join(litellmVenv(), 'bin', 'python');
}

/** Creates the venv and installs the pinned proxy and matplotlib, unless the stamp says they are there. */
export async function ensureLitellm(log: (msg: string) => void): Promise<void> {
  const venv = litellmVenv();
  const stamp = path.join(venv, 'installed.version');
  const wanted = `litellm[proxy]==${LITELLM_VERSION} prisma==${PRISMA_VERSION} matplotlib==${MATPLOTLIB_VERSION}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === wanted) return;
  log(`installing ${wanted} from PyPI into ${path.relative(process.cwd(), venv)} (first use) ...`);
  if (!existsSync(venvPython())) await runChecked('python3', ['-m', 'venv', venv], { timeoutMs: 120_000 });
  await runChecked(
    path.join(venv, 'bin', 'pip'),
    ['install', '--disable-pip-version-check', '-q', ...wanted.split(' ')],
    { timeoutMs: 900_000 },
  );
  writeFileSync(stamp, `${wanted}\n`);
}

export interface LitellmOptions {
  /** The OpenAI-compatible upstream, with /v1. */
  upstream: string;
  dir: string;
  name: string;
  /** Keys and spend logs in Postgres (general_settings.database_url + master_key). */
  databaseUrl?: string;
  workers?: number;
}

export interface Litellm {
  url: string;
  /** The key clients send: a virtual key in database mode, the master key otherwise. */
  apiKey: string;
  pid: number;
  child: Child;
  stop(): Promise<void>;
}

function config(opts: LitellmOptions, masterKey: string): string {
  const lines = [
    'model_list:',
    ...['demo-chat'].flatMap((model) => [
      `  - model_name: ${model}`,
      '    litellm_params:',
      `      model: openai/${model}`,
      `      api_base: ${opts.upstream}`,
      '      api_key: unused',
    ]),
    'litellm_settings:',
    '  drop_params: true',
    '  set_verbose: false',
  ];
  // This version refuses to start without a strong master key; clients of the bare proxy send it.
  lines.push('general_settings:', `  master_key: ${masterKey}`);
  if (opts.databaseUrl) lines.push(`  database_url: "${opts.databaseUrl}"`);
  return `${lines.join('\n')}\n`;
}

/** Starts the proxy; rejects with the log's last lines when it exits or does not listen within 3 minutes. */
export async function startLitellm(opts: LitellmOptions): Promise<Litellm> {
  mkdirSync(opts.dir, { recursive: true });
  const configFile = path.join(opts.dir, `${opts.name}.yaml`);
  const masterKey = `sk-${randomBytes(24).toString('hex')}`;
  writeFileSync(configFile, config(opts, masterKey));
  const port = await freePort(HOST);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Its database mode runs the `prisma` CLI of the venv.
    PATH: `${path.join(litellmVenv(), 'bin')}:${process.env.PATH ?? ''}`,
    // No telemetry, no model-cost map from the network (this machine has no internet), quiet logs.
    LITELLM_TELEMETRY: 'False',
    LITELLM_LOCAL_MODEL_COST_MAP: 'True',
    LITELLM_LOG: 'ERROR',
    LITELLM_MODE: 'PRODUCTION',
    DATABASE_URL: opts.databaseUrl ?? '',
  };
  if (!opts.databaseUrl) delete env.DATABASE_URL;
  const child = await spawnChild({
    name: opts.name,
    command: path.join(litellmVenv(), 'bin', 'litellm'),
    args: ['--config', configFile, '--host', HOST, '--port', String(port), '--num_workers', String(opts.workers ?? 1)],
    logFile: path.join(opts.dir, `${opts.name}.log`),
    env,
    graceMs: 5000,
  });
  const url = `http://${HOST}:${port}`;
  try {
    await child.waitFor(() => canConnect(HOST, port), { timeoutMs: 180_000, what: `${opts.name} to listen` });
    const apiKey = opts.databaseUrl ? await virtualKey(url, masterKey) : masterKey;
    return { url, apiKey, pid: child.pid, child, stop: () => child.stop() };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/** A key of LiteLLM's own (kept in its database), as a deployment that tracks spend hands out. */
async function virtualKey(url: string, masterKey: string): Promise<string> {
  const res = await fetch(`${url}/key/generate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ models: ['demo-chat'] }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST /key/generate: HTTP ${res.status}: ${text.slice(0, 500)}`);
  return (JSON.parse(text) as { key: string }).key;
}

/** Creates the database LiteLLM keeps its keys and spend logs in, next to the platform's. */
export async function createLitellmDatabase(platformUrl: string): Promise<string> {
  const url = new URL(platformUrl);
  const psql = await run(
    path.join(postgresBinDir(), 'psql'),
    [
      '-h',
      url.hostname,
      '-p',
      url.port,
      '-U',
      decodeURIComponent(url.username),
      '-d',
      url.pathname.slice(1),
      '-tAc',
      'create database litellm',
    ],
    {
      env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
    },
  );
  if (psql.code !== 0 && !/already exists/.test(psql.stderr))
    throw new Error(`create database litellm: ${psql.stderr}`);
  url.pathname = '/litellm';
  return url.toString().replace(/^postgres:/, 'postgresql:');
}

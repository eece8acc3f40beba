/**
 * The agent's HTTP client against `fetch`: sequential chat completions to the demo provider,
 * each client measured in alternating rounds (this machine's speed drifts), p50/p99 printed.
 *
 *   npm run build && node dist/bench/transport.js [--requests 2000] [--rounds 3]
 */
import { send } from '../agent/http-transport';
import { startDemoProvider } from '../demo-provider/server';
import { ms, summarize, table } from './stats';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i < 0 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive integer`);
  return value;
}

async function main(): Promise<void> {
  const requests = arg('--requests', 2000);
  const rounds = arg('--rounds', 3);
  const demo = await startDemoProvider({ latencyMs: 0, tokensPerSecond: 0 });
  const url = `${demo.url}/v1/chat/completions`;
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'Say hello.' }] }),
  };
  const clients: Record<string, (signal: AbortSignal) => Promise<Response>> = {
    fetch: (signal) => fetch(url, { ...init, signal }),
    'agent (node:http)': (signal) => send(url, { ...init, signal }),
  };
  const rows = [['round', 'client', 'p50 ms', 'p95 ms', 'p99 ms']];
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const [name, call] of Object.entries(clients)) {
        const samples: number[] = [];
        for (let i = 0; i < requests + 200; i++) {
          const started = performance.now();
          const res = await call(new AbortController().signal);
          JSON.parse(await res.text());
          if (i >= 200) samples.push(performance.now() - started);
        }
        const s = summarize(samples);
        rows.push([String(round), name, ms(s.p50), ms(s.p95), ms(s.p99)]);
      }
    }
  } finally {
    await demo.close();
  }
  process.stdout.write(`${table(rows, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

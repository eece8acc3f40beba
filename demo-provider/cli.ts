/**
 * Runs the demo provider (a test/benchmark fixture) standalone:
 *   node dist/demo-provider/cli.js --port 8000 --latency-ms 0 --tokens-per-second 0
 */
import { parseArgs } from 'node:util';
import { startDemoProvider } from './server';

function int(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got '${value}'`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'latency-ms': { type: 'string' },
      'tokens-per-second': { type: 'string' },
    },
  });
  const provider = await startDemoProvider({
    port: int(values.port, 'port', 8000),
    host: values.host ?? '127.0.0.1',
    latencyMs: int(values['latency-ms'], 'latency-ms', 0),
    tokensPerSecond: int(values['tokens-per-second'], 'tokens-per-second', 0),
  });
  process.stdout.write(`demo-provider (test fixture) listening on ${provider.url}\n`);
  const stop = (): void => {
    provider.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo-provider: ${(err as Error).message}\n`);
  process.exit(1);
});

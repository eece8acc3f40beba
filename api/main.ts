import { loadConfig } from '../config/config';
import { startApi } from './create-api';

async function main(): Promise<void> {
  const config = loadConfig();
  const api = await startApi(config);
  process.stdout.write(`API listening on ${api.url}\n`);
  const stop = () => {
    api.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

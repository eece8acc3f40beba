import { createLogger } from '../clients/logger';
import { loadConfig } from '../config/config';
import { startApi } from './create-api';
import { installLastResort } from './http/last-resort';

async function main(): Promise<void> {
  const config = loadConfig();
  installLastResort(createLogger('api', config.logLevel));
  const api = await startApi(config);
  process.stdout.write(`API listening on ${api.url}\n`);
  let stopping = false;
  const stop = () => {
    // A second signal while draining stops at once.
    if (stopping) process.exit(1);
    stopping = true;
    api.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

import { NativeConnection } from '@temporalio/worker';
import { createStorage } from '../clients/storage';
import { loadConfig } from '../config/config';
import { createDb } from '../db/database';
import { createWorker } from './create-worker';

/** The worker process: one worker on the inference queue and one on the orchestration queue. */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = createDb(config.databaseUrl, {
    onIdleError: (err) =>
      process.stderr.write(`worker: database connection lost (${err.message}); it will be replaced\n`),
  });
  const storage = createStorage(config);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const workers = await Promise.all(
    (['inference', 'orchestration'] as const).map((queue) => createWorker({ config, db, storage, connection, queue })),
  );
  process.stdout.write(`worker polling ${config.temporal.taskQueue} and ${config.temporal.orchestrationQueue}\n`);
  const stop = () => workers.forEach((w) => w.shutdown());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await Promise.all(workers.map((w) => w.run()));
  await connection.close();
  await db.destroy();
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config/config';
import { createDb } from '../db/database';
import { createWorker } from './create-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = createDb(config.databaseUrl, {
    onIdleError: (err) =>
      process.stderr.write(`worker: database connection lost (${err.message}); it will be replaced\n`),
  });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createWorker({ config, db, connection });
  process.stdout.write(`worker polling ${config.temporal.taskQueue}\n`);
  process.once('SIGINT', () => worker.shutdown());
  process.once('SIGTERM', () => worker.shutdown());
  await worker.run();
  await connection.close();
  await db.destroy();
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createDb } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { startMinio, startPostgres, startTemporal } from '../../scripts/services';

/**
 * Starts throwaway real Temporal, PostgreSQL and MinIO for the whole run, migrates the
 * database and prebuilds the workflow bundle once; test files read them from the environment.
 */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'inference-test-'));
  // Postgres runs as its own user when the suite runs as root; it must reach its data folder.
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, 'logs'));
  const log = (name: string) => path.join(dir, 'logs', `${name}.log`);
  const [temporal, postgres, minio, bundle] = await Promise.all([
    startTemporal({ headless: true, logFile: log('temporal') }),
    startPostgres({ dataDir: path.join(dir, 'postgres'), logFile: log('postgres') }),
    startMinio({ dataDir: path.join(dir, 'minio'), logFile: log('minio') }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger }),
  ]);
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  const db = createDb(postgres.url, 1);
  await migrateToLatest(db);
  await db.destroy();

  Object.assign(process.env, {
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: temporal.address,
    S3_ENDPOINT: minio.endpoint,
    S3_ACCESS_KEY: minio.accessKey,
    S3_SECRET_KEY: minio.secretKey,
    TEST_WORKFLOW_BUNDLE: bundlePath,
    TEST_TMP_DIR: dir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  });
  (globalThis as Record<string, unknown>).__services = [temporal, postgres, minio];
  writeFileSync(
    path.join(dir, 'services.json'),
    JSON.stringify({ temporal: temporal.address, postgres: postgres.url }),
  );
}

const quietLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (msg: string) => process.stderr.write(`${msg}\n`),
  log: () => undefined,
};

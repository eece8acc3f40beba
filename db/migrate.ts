import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database';
import * as initial from './migrations/2026-11-22T00-00-initial';
import * as assets from './migrations/2026-11-22T01-00-assets';
import * as files from './migrations/2026-11-29T10-00-files';
import * as webhookSecrets from './migrations/2026-11-29T10-10-webhook-secrets';
import * as jobsAndBatches from './migrations/2026-11-29T11-00-jobs-and-batches';
import * as workflowRuns from './migrations/2026-11-29T12-00-workflow-runs';
import * as sharing from './migrations/2026-11-29T17-00-sharing';

// A static list rather than a folder scan, so migrations run the same from ts sources and dist.
const MIGRATIONS: Record<string, Migration> = {
  '2026-11-22T00-00-initial': initial,
  '2026-11-22T01-00-assets': assets,
  '2026-11-29T10-00-files': files,
  '2026-11-29T10-10-webhook-secrets': webhookSecrets,
  '2026-11-29T11-00-jobs-and-batches': jobsAndBatches,
  '2026-11-29T12-00-workflow-runs': workflowRuns,
  '2026-11-29T17-00-sharing': sharing,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Brings the schema up to date; throws with the failing migration's name. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${cause}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

import { createDb } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { url } from '../config/env';

/** `node dist/scripts/migrate.js`: brings DATABASE_URL's schema up to date (compose runs it once). */
async function main(): Promise<void> {
  const db = createDb(url(process.env, 'DATABASE_URL'), 1);
  try {
    const applied = await migrateToLatest(db);
    process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'schema is up to date\n');
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

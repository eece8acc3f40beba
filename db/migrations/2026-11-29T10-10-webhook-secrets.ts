import type { Kysely } from 'kysely';

// Migrations never import app code: the schema here is the schema as of this migration.
// Each member's Standard Webhooks signing secret (`whsec_<base64>`), created the first time it is needed.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('members').addColumn('webhook_secret', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('members').dropColumn('webhook_secret').execute();
}

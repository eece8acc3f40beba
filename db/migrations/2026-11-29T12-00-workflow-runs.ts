import { sql, type Kysely } from 'kysely';

/**
 * Workflow runs: who started which run, its status as it changes (for listings) and, once it ended,
 * its final state (for reading it after Temporal's retention). The run itself lives in Temporal.
 * A request made by a run's step says which run and step it served.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('template', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('inputs', 'jsonb', (c) => c.notNull())
    .addColumn('state', 'jsonb')
    .addColumn('idempotency_key', 'text')
    .addColumn('body_hash', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('runs_member_listing_idx')
    .on('runs')
    .columns(['member_id', 'created_at', 'id'])
    .execute();
  await db.schema.alterTable('requests').addColumn('run_id', 'text').addColumn('run_step', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('requests').dropColumn('run_step').dropColumn('run_id').execute();
  await db.schema.dropTable('runs').execute();
}

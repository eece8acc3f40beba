import { sql, type Kysely } from 'kysely';

/**
 * Async jobs and batches. A job is a request (one row in `requests`) that nobody waits on over
 * HTTP: it gains when an agent picked it up, where its answer is stored, its webhook and the
 * Idempotency-Key it came with. A batch groups jobs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('endpoint', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('input_file_id', 'text')
    .addColumn('output_file_id', 'text')
    .addColumn('error_file_id', 'text')
    .addColumn('completion_window', 'text')
    .addColumn('metadata', 'jsonb')
    .addColumn('errors', 'jsonb')
    .addColumn('idempotency_key', 'text')
    .addColumn('body_hash', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('in_progress_at', 'timestamptz')
    .addColumn('finalizing_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('failed_at', 'timestamptz')
    .addColumn('cancelling_at', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('batches_member_created_idx')
    .on('batches')
    .columns(['member_id', 'created_at'])
    .execute();

  await db.schema
    .alterTable('requests')
    .addColumn('started_at', 'timestamptz')
    .addColumn('async', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('endpoint', 'text')
    .addColumn('batch_id', 'text', (c) => c.references('batches.id').onDelete('set null'))
    .addColumn('batch_index', 'integer')
    .addColumn('custom_id', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('body_hash', 'text')
    .addColumn('result_key', 'text')
    .addColumn('webhook_url', 'text')
    .addColumn('run', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  // Listings page newest first by (created_at, id).
  await db.schema.dropIndex('requests_member_created_idx').execute();
  await db.schema
    .createIndex('requests_member_listing_idx')
    .on('requests')
    .columns(['member_id', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('requests_batch_idx').on('requests').columns(['batch_id', 'batch_index']).execute();
  // Queue positions and least-busy routing count the requests still waiting or running.
  await db.schema
    .createIndex('requests_waiting_idx')
    .on('requests')
    .columns(['model', 'created_at'])
    .where(sql.ref('status'), 'in', ['QUEUED', 'PROCESSING'])
    .execute();
  // Load counts queued requests too now: a task waiting for a busy agent is its load.
  await db.schema.dropIndex('requests_in_flight_idx').execute();
  await db.schema
    .createIndex('requests_provider_active_idx')
    .on('requests')
    .column('provider_id')
    .where(sql.ref('status'), 'in', ['QUEUED', 'PROCESSING'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('requests_provider_active_idx').execute();
  await db.schema.dropIndex('requests_waiting_idx').execute();
  await db.schema.dropIndex('requests_batch_idx').execute();
  await db.schema.dropIndex('requests_member_listing_idx').execute();
  await db.schema
    .createIndex('requests_in_flight_idx')
    .on('requests')
    .column('provider_id')
    .where(sql.ref('status'), '=', 'PROCESSING')
    .execute();
  await db.schema
    .createIndex('requests_member_created_idx')
    .on('requests')
    .columns(['member_id', 'created_at'])
    .execute();
  await db.schema
    .alterTable('requests')
    .dropColumn('run')
    .dropColumn('webhook_url')
    .dropColumn('result_key')
    .dropColumn('body_hash')
    .dropColumn('idempotency_key')
    .dropColumn('custom_id')
    .dropColumn('batch_index')
    .dropColumn('batch_id')
    .dropColumn('endpoint')
    .dropColumn('async')
    .dropColumn('started_at')
    .execute();
  await db.schema.dropTable('batches').execute();
}

import { sql, type Kysely } from 'kysely';

// Migrations never import app code: the schema here is the schema as of this migration.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('members')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('providers')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('shared', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('concurrency', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('last_heartbeat_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('providers_member_name_unique', ['member_id', 'name'])
    .execute();

  await db.schema
    .createTable('provider_models')
    .addColumn('provider_id', 'uuid', (c) => c.notNull().references('providers.id').onDelete('cascade'))
    .addColumn('model_id', 'text', (c) => c.notNull())
    .addColumn('service_type', 'text', (c) => c.notNull())
    .addColumn('input_modalities', 'jsonb', (c) => c.notNull())
    .addColumn('output_modalities', 'jsonb', (c) => c.notNull())
    .addColumn('supported_features', 'jsonb', (c) => c.notNull())
    .addColumn('context_length', 'integer')
    .addColumn('voices', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('provider_models_pk', ['provider_id', 'model_id'])
    .execute();
  await db.schema.createIndex('provider_models_model_idx').on('provider_models').column('model_id').execute();

  await db.schema
    .createTable('requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('service_type', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'uuid', (c) => c.references('providers.id').onDelete('set null'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_type', 'text')
    .addColumn('error_message', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('usage', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('latency_ms', 'integer')
    .execute();
  await db.schema
    .createIndex('requests_member_created_idx')
    .on('requests')
    .columns(['member_id', 'created_at'])
    .execute();
  // Load balancing counts in-flight requests per provider; a partial index keeps that cheap.
  await db.schema
    .createIndex('requests_in_flight_idx')
    .on('requests')
    .column('provider_id')
    .where(sql.ref('status'), '=', 'PROCESSING')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['requests', 'provider_models', 'providers', 'api_keys', 'members']) {
    await db.schema.dropTable(table).execute();
  }
}

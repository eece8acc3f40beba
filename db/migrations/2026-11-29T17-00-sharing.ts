import { sql, type Kysely } from 'kysely';

/** 244 bits from Postgres's strong random source: share tokens nobody can guess. */
const randomToken = sql`replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')`;

/**
 * Sharing: every request keeps what a person needs to see it again (its input, its text output)
 * and a visibility with an unguessable share token; members get account defaults; collections
 * group requests in a playlist order; browser sessions sign members in with a cookie.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('members')
    .addColumn('default_request_visibility', 'text', (c) => c.notNull().defaultTo('UNLISTED'))
    .addColumn('default_collection_name', 'text')
    .execute();
  await db.schema
    .alterTable('requests')
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('UNLISTED'))
    .addColumn('share_token', 'text', (c) => c.notNull().defaultTo(randomToken))
    .addColumn('input', 'jsonb')
    .addColumn('output_text', 'text')
    .execute();
  await db.schema.createIndex('requests_share_token_idx').on('requests').column('share_token').unique().execute();
  await db.schema
    .createIndex('requests_public_idx')
    .on('requests')
    .columns(['member_id', 'created_at'])
    .where(sql.ref('visibility'), '=', 'PUBLIC')
    .execute();

  // Uploaded inputs are kept as assets too (role `input`), beside the outputs.
  await db.schema
    .alterTable('assets')
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('output'))
    .execute();
  await db.schema.alterTable('assets').dropConstraint('assets_request_position_unique').execute();
  await db.schema
    .alterTable('assets')
    .addUniqueConstraint('assets_request_role_position_unique', ['request_id', 'role', 'position'])
    .execute();

  await db.schema
    .createTable('collections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('share_token', 'text', (c) => c.notNull().unique().defaultTo(randomToken))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index collections_member_name_idx on collections (member_id, lower(name))`.execute(db);
  await db.schema
    .createTable('collection_items')
    .addColumn('collection_id', 'text', (c) => c.notNull().references('collections.id').onDelete('cascade'))
    // No foreign key: a sync request's row is written by its workflow, after the API appended it.
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('position', 'bigserial', (c) => c.notNull())
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('collection_items_pk', ['collection_id', 'request_id'])
    .execute();
  await db.schema.createIndex('collection_items_request_idx').on('collection_items').column('request_id').execute();

  await db.schema
    .createTable('sessions')
    // sha256 of the cookie's value: a leaked table opens nobody's account.
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('members.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sessions').execute();
  await db.schema.dropTable('collection_items').execute();
  await db.schema.dropTable('collections').execute();
  await db.schema.alterTable('assets').dropConstraint('assets_request_role_position_unique').execute();
  await db.schema
    .alterTable('assets')
    .addUniqueConstraint('assets_request_position_unique', ['request_id', 'position'])
    .execute();
  await db.schema.alterTable('assets').dropColumn('role').execute();
  await db.schema.dropIndex('requests_public_idx').execute();
  await db.schema.dropIndex('requests_share_token_idx').execute();
  await db.schema
    .alterTable('requests')
    .dropColumn('output_text')
    .dropColumn('input')
    .dropColumn('share_token')
    .dropColumn('visibility')
    .execute();
  await db.schema
    .alterTable('members')
    .dropColumn('default_collection_name')
    .dropColumn('default_request_visibility')
    .execute();
}

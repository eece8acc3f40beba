import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import { tagRejections } from '../clients/dependency-tag';
import type { AssetTable } from './tables/asset.table';
import type { VoiceSampleTable } from './tables/voice-sample.table';
import type { ApiKeyTable, MemberTable } from './tables/member.table';
import type { ProviderModelTable, ProviderTable } from './tables/provider.table';
import type { RequestTable } from './tables/request.table';
import type { BatchTable } from './tables/batch.table';
import type { RunTable } from './tables/run.table';
import type { FileTable } from './tables/file.table';
import type { CollectionItemTable, CollectionTable } from './tables/collection.table';
import type { SessionTable } from './tables/session.table';

export interface Database {
  members: MemberTable;
  api_keys: ApiKeyTable;
  providers: ProviderTable;
  provider_models: ProviderModelTable;
  requests: RequestTable;
  assets: AssetTable;
  voice_samples: VoiceSampleTable;
  files: FileTable;
  batches: BatchTable;
  runs: RunTable;
  collections: CollectionTable;
  collection_items: CollectionItemTable;
  sessions: SessionTable;
}

export type Db = Kysely<Database>;

export interface DbOptions {
  max?: number;
  /** Told about an idle connection's error (the server restarted or was killed); the pool replaces it. */
  onIdleError?: (err: Error) => void;
}

/**
 * One pooled connection set per process; callers own `destroy()`. A database that goes away
 * never takes the process with it: a connection's error is reported and that connection dropped
 * (without a listener, pg would raise it as an unhandled `error` event), a query while it is down
 * fails within the connect timeout, and the pool reconnects by itself once it is back.
 */
export function createDb(databaseUrl: string, options: DbOptions | number = {}): Db {
  const { max = 10, onIdleError } = typeof options === 'number' ? { max: options } : options;
  const pool = new Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5000 });
  pool.on('error', (err) => onIdleError?.(err));
  // A client checked out of the pool (a transaction between two queries) has no listener of the
  // pool's: without its own, the server going away there would be an unhandled `error` event.
  // The query that uses it next fails instead, and the pool drops it on release.
  pool.on('connect', (client) => client.on('error', (err) => onIdleError?.(err)));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: tagRejections(pool, 'database') }) });
}

import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { AssetTable } from './tables/asset.table';
import type { VoiceSampleTable } from './tables/voice-sample.table';
import type { ApiKeyTable, MemberTable } from './tables/member.table';
import type { ProviderModelTable, ProviderTable } from './tables/provider.table';
import type { RequestTable } from './tables/request.table';

export interface Database {
  members: MemberTable;
  api_keys: ApiKeyTable;
  providers: ProviderTable;
  provider_models: ProviderModelTable;
  requests: RequestTable;
  assets: AssetTable;
  voice_samples: VoiceSampleTable;
}

export type Db = Kysely<Database>;

export interface DbOptions {
  max?: number;
  /** Told about an idle connection's error (the server restarted or was killed); the pool replaces it. */
  onIdleError?: (err: Error) => void;
}

/**
 * One pooled connection set per process; callers own `destroy()`. A database that goes away
 * never takes the process with it: an idle connection's error is reported and that connection
 * dropped (without a listener, pg would raise it as an unhandled `error` event), a query while it
 * is down fails within the connect timeout, and the pool reconnects by itself once it is back.
 */
export function createDb(databaseUrl: string, options: DbOptions | number = {}): Db {
  const { max = 10, onIdleError } = typeof options === 'number' ? { max: options } : options;
  const pool = new Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5000 });
  pool.on('error', (err) => onIdleError?.(err));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

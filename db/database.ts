import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { AssetTable, VoiceSampleTable } from './tables/asset.table';
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

/** One pooled connection set per process; callers own `destroy()`. */
export function createDb(databaseUrl: string, max = 10): Db {
  const pool = new Pool({ connectionString: databaseUrl, max });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

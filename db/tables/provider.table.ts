import type { ColumnType, Generated, JSONColumnType, Selectable } from 'kysely';

export interface ProviderTable {
  id: Generated<string>;
  member_id: string;
  name: string;
  shared: boolean;
  concurrency: number;
  last_heartbeat_at: Date;
  created_at: ColumnType<Date, never, never>;
}

export interface Voice {
  id: string;
  name?: string;
}

export interface ProviderModelTable {
  provider_id: string;
  model_id: string;
  service_type: string;
  input_modalities: JSONColumnType<string[]>;
  output_modalities: JSONColumnType<string[]>;
  supported_features: JSONColumnType<string[]>;
  context_length: number | null;
  voices: JSONColumnType<Voice[]>;
  updated_at: Date;
}

export type Provider = Selectable<ProviderTable>;
export type ProviderModel = Selectable<ProviderModelTable>;

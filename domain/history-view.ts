import type { Config } from '../config/config';
import type { HistoryRow } from '../db/repositories/history.repository';
import type { Asset } from '../db/tables/asset.table';
import type { Visibility } from './visibility';

export interface HistoryAsset {
  id: string;
  url: string;
  content_type: string;
  bytes: number;
}

/** One request of a member's history, as the API and the pages show it. */
export interface HistoryEntry {
  id: string;
  object: 'inference.request';
  kind: string;
  model: string;
  status: string;
  visibility: Visibility;
  share_url: string;
  created_at: number;
  finished_at: number | null;
  latency_ms: number | null;
  usage: Record<string, unknown> | null;
  input: Record<string, unknown> | null;
  output: { text: string | null; assets: HistoryAsset[] };
  inputs: HistoryAsset[];
  error: { type: string | null; message: string | null } | null;
  parent: { batch_id: string | null; batch_index: number | null; run_id: string | null; step_id: string | null } | null;
  collections: { id: string; name: string }[];
  owner: { name: string };
}

/** What else a history entry shows, loaded for many rows at once. */
export interface HistoryExtras {
  outputs: Map<string, Asset[]>;
  inputs: Map<string, Asset[]>;
  collections: Map<string, { id: string; name: string }[]>;
}

export const shareUrl = (config: Pick<Config, 'api'>, token: string) => `${config.api.publicBaseUrl}/s/${token}`;
export const assetUrl = (config: Pick<Config, 'api'>, id: string) =>
  `${config.api.publicBaseUrl}/api/inference/assets/${id}/`;

/**
 * The entry of one request. Asset links are plain (not signed): they obey the request's visibility,
 * so a link works for exactly who may see the request. `collections` are shown to the owner only.
 */
export function historyEntry(
  config: Pick<Config, 'api'>,
  row: HistoryRow,
  extras: HistoryExtras,
  owner: boolean,
): HistoryEntry {
  const asset = (a: Asset): HistoryAsset => ({
    id: a.id,
    url: assetUrl(config, a.id),
    content_type: a.content_type,
    bytes: a.bytes,
  });
  const parent =
    row.batch_id || row.run_id
      ? { batch_id: row.batch_id, batch_index: row.batch_index, run_id: row.run_id, step_id: row.run_step }
      : null;
  return {
    id: row.id,
    object: 'inference.request',
    kind: row.kind,
    model: row.model,
    status: row.status,
    visibility: row.visibility,
    share_url: shareUrl(config, row.share_token),
    created_at: Math.floor(row.created_at.getTime() / 1000),
    finished_at: row.finished_at ? Math.floor(row.finished_at.getTime() / 1000) : null,
    latency_ms: row.latency_ms,
    usage: row.usage,
    input: row.input,
    output: { text: row.output_text, assets: (extras.outputs.get(row.id) ?? []).map(asset) },
    inputs: (extras.inputs.get(row.id) ?? []).map(asset),
    error: row.error_type || row.error_message ? { type: row.error_type, message: row.error_message } : null,
    parent,
    collections: owner ? (extras.collections.get(row.id) ?? []) : [],
    owner: { name: row.owner_name },
  };
}

import { getPayload } from '../clients/payload-store';
import type { Storage } from '../clients/storage';
import type { Config } from '../config/config';
import type { Db } from '../db/database';
import { assetsOfRequests } from '../db/repositories/asset.repository';
import { queuePositions } from '../db/repositories/job.repository';
import type { Asset } from '../db/tables/asset.table';
import type { RequestRow } from '../db/tables/request.table';
import { REQUEST_KINDS, type RequestKind } from '../workflows/inference-contract';
import { imageAnswer, meshAnswer } from './media-answers';
import { signedAssetUrl } from './signed-url';

/** The job object of the API (and of webhook deliveries): everything a client polling a job needs. */
export interface JobObject {
  id: string;
  object: 'job';
  status: string;
  endpoint: string;
  model: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  usage: Record<string, unknown> | null;
  error: { message: string; type: string } | null;
  /** The provider's JSON answer (chat, completions, images with signed links, 3D), once PROCESSED. */
  result: unknown;
  /** A signed link to the output itself, for byte outputs (speech, music, video, 3D), once PROCESSED. */
  result_url: string | null;
  /** While QUEUED: requests for the same model still waiting before this one. */
  queue_position: number | null;
  batch_id: string | null;
}

export interface JobViewDeps {
  db: Db;
  storage: Storage;
  config: Pick<Config, 'api'>;
}

/** Kinds whose answer is the output bytes themselves (OpenAI answers them raw). */
const BYTE_KINDS: ReadonlySet<RequestKind> = new Set(['speech', 'music', 'video', 'voice', 'mesh']);

const seconds = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : null);

/** Job objects for rows, reading each stored answer back and the queue positions of waiting ones. */
export async function jobViews(deps: JobViewDeps, rows: RequestRow[]): Promise<JobObject[]> {
  const [positions, assets] = await Promise.all([
    queuePositions(deps.db, rows),
    assetsOfRequests(
      deps.db,
      rows.filter((r) => r.status === 'PROCESSED').map((r) => r.id),
    ),
  ]);
  return Promise.all(rows.map((row) => view(deps, row, positions.get(row.id), assets.get(row.id) ?? [])));
}

export async function jobView(deps: JobViewDeps, row: RequestRow): Promise<JobObject> {
  return (await jobViews(deps, [row]))[0];
}

async function view(
  deps: JobViewDeps,
  row: RequestRow,
  position: number | undefined,
  assets: Asset[],
): Promise<JobObject> {
  const kind = row.kind as RequestKind;
  const done = row.status === 'PROCESSED';
  const stored = assets.map((a) => ({ id: a.id, key: a.key, contentType: a.content_type, bytes: Number(a.bytes) }));
  let result: unknown = null;
  if (done && row.result_key) {
    const body = await getPayload(deps.storage, { key: row.result_key, bytes: 0 });
    result = kind === 'image' ? imageAnswer(deps.config, body, stored) : body;
  } else if (done && kind === 'mesh') {
    result = meshAnswer(deps.config, stored, 'glb');
  }
  return {
    id: row.id,
    object: 'job',
    status: row.status,
    endpoint: row.endpoint ?? REQUEST_KINDS[kind].endpoint,
    model: row.model,
    created_at: seconds(row.created_at) as number,
    started_at: seconds(row.started_at),
    finished_at: seconds(row.finished_at),
    usage: row.usage,
    error: row.error_type ? { message: row.error_message ?? '', type: row.error_type } : null,
    result: BYTE_KINDS.has(kind) && kind !== 'mesh' ? null : result,
    result_url: done && BYTE_KINDS.has(kind) && stored[0] ? signedAssetUrl(deps.config, stored[0].id) : null,
    queue_position: row.status === 'QUEUED' ? (position ?? 0) : null,
    batch_id: row.batch_id,
  };
}

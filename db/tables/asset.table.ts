import type { ColumnType, Selectable } from 'kysely';

/** A stored output (image, audio, video, mesh), served at /api/inference/assets/<id>/. */
export interface AssetTable {
  /** Unguessable: asset URLs are handed out, so ids must not be enumerable. */
  id: string;
  request_id: string;
  member_id: string;
  position: number;
  key: string;
  content_type: string;
  bytes: number;
  /** `output` (what the model made) or `input` (what the member uploaded). */
  role: ColumnType<'input' | 'output', 'input' | 'output' | undefined, never>;
  created_at: ColumnType<Date, never, never>;
}

export type Asset = Selectable<AssetTable>;

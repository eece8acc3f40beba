import type { ColumnType, Generated, Selectable } from 'kysely';

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
  created_at: ColumnType<Date, never, never>;
}

/** A member's voice sample for voice cloning; only its owner may use it. */
export interface VoiceSampleTable {
  id: Generated<number>;
  member_id: string;
  name: string;
  key: string;
  content_type: string;
  bytes: number;
  duration_seconds: number | null;
  created_at: ColumnType<Date, never, never>;
}

export type Asset = Selectable<AssetTable>;
export type VoiceSample = Selectable<VoiceSampleTable>;

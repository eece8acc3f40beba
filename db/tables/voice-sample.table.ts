import type { ColumnType, Generated, Selectable } from 'kysely';

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

export type VoiceSample = Selectable<VoiceSampleTable>;

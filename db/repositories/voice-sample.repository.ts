import type { Db } from '../database';
import type { VoiceSample } from '../tables/voice-sample.table';

export async function insertVoiceSample(db: Db, sample: Omit<VoiceSample, 'id' | 'created_at'>): Promise<VoiceSample> {
  return db.insertInto('voice_samples').values(sample).returningAll().executeTakeFirstOrThrow();
}

export async function listVoiceSamples(db: Db, memberId: string): Promise<VoiceSample[]> {
  return db.selectFrom('voice_samples').selectAll().where('member_id', '=', memberId).orderBy('id').execute();
}

/** The member's own samples among `ids`; samples of other members are simply not found. */
export async function findOwnVoiceSamples(db: Db, memberId: string, ids: number[]): Promise<VoiceSample[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('voice_samples').selectAll().where('member_id', '=', memberId).where('id', 'in', ids).execute();
}

export async function deleteVoiceSample(db: Db, memberId: string, id: number): Promise<VoiceSample | undefined> {
  return db
    .deleteFrom('voice_samples')
    .where('member_id', '=', memberId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

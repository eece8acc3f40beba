import { sql } from 'kysely';
import type { Db } from '../database';
import type { Member } from '../tables/member.table';
import type { RunRow } from '../tables/run.table';

/**
 * Runs waiting at a gate that `member` may decide: their own runs in AWAITING, and other members'
 * whose spec lists them as a gate's approver. Oldest first (the longest waiting on top).
 */
export async function awaitingRunsFor(db: Db, member: Pick<Member, 'id' | 'name'>, limit = 100): Promise<RunRow[]> {
  const approver = JSON.stringify([{ kind: 'gate', approvers: [member.name] }]);
  return db
    .selectFrom('runs')
    .selectAll()
    .where('status', '=', 'AWAITING')
    .where((eb) => eb.or([eb('member_id', '=', member.id), eb(sql`spec -> 'steps'`, '@>', sql`${approver}::jsonb`)]))
    .orderBy('updated_at', 'asc')
    .limit(limit)
    .execute();
}

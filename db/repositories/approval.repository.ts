import { sql } from 'kysely';
import type { Db } from '../database';
import type { Member } from '../tables/member.table';
import type { RunRow } from '../tables/run.table';

/**
 * Runs that may be waiting at a gate `member` may decide: their own runs still going (AWAITING, or
 * RUNNING: the row learns of a gate a moment after the workflow reached it, so the live state
 * decides), and other members' whose spec lists them as a gate's approver. Oldest first.
 */
export async function awaitingRunsFor(db: Db, member: Pick<Member, 'id' | 'name'>, limit = 100): Promise<RunRow[]> {
  const approver = JSON.stringify([{ kind: 'gate', approvers: [member.name] }]);
  return db
    .selectFrom('runs')
    .selectAll()
    .where('status', 'in', ['AWAITING', 'RUNNING'])
    .where((eb) => eb.or([eb('member_id', '=', member.id), eb(sql`spec -> 'steps'`, '@>', sql`${approver}::jsonb`)]))
    .orderBy('updated_at', 'asc')
    .limit(limit)
    .execute();
}

import { sql } from 'kysely';
import type { Db } from '../database';
import type { RunRow } from '../tables/run.table';

export interface NewRun {
  id: string;
  memberId: string;
  template: string | null;
  spec: { steps: unknown[] };
  inputs: Record<string, unknown>;
  idempotencyKey: string | null;
  bodyHash: string;
}

/**
 * A run's row, RUNNING. A second submission with the run's id (an Idempotency-Key sent twice)
 * writes nothing and gets the row already there.
 */
export async function insertRun(db: Db, run: NewRun): Promise<{ row: RunRow; created: boolean }> {
  const inserted = await db
    .insertInto('runs')
    .values({
      id: run.id,
      member_id: run.memberId,
      template: run.template,
      status: 'RUNNING',
      spec: JSON.stringify(run.spec),
      inputs: JSON.stringify(run.inputs),
      state: null,
      idempotency_key: run.idempotencyKey,
      body_hash: run.bodyHash,
      finished_at: null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  return {
    row: await db.selectFrom('runs').selectAll().where('id', '=', run.id).executeTakeFirstOrThrow(),
    created: false,
  };
}

export async function findRun(db: Db, id: string): Promise<RunRow | undefined> {
  return db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface RunQuery {
  status?: string;
  limit: number;
  /** A run: the page starts after it (older ones, newest first). */
  after?: RunRow;
}

/** The member's runs, newest first; one more than `limit` tells whether there is another page. */
export async function listRuns(db: Db, memberId: string, q: RunQuery): Promise<RunRow[]> {
  let query = db
    .selectFrom('runs')
    .selectAll()
    .where('member_id', '=', memberId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.after) {
    const { created_at: at, id } = q.after;
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]),
    );
  }
  return query.execute();
}

/** The run's status as its workflow moves (and, once it ended, its final state). */
export async function setRunStatus(
  db: Db,
  input: { runId: string; status: string; state?: unknown; final: boolean },
): Promise<void> {
  await db
    .updateTable('runs')
    .set({
      status: input.status,
      updated_at: sql<Date>`now()`,
      ...(input.state !== undefined && { state: JSON.stringify(input.state) }),
      finished_at: input.final ? sql<Date>`now()` : null,
    })
    .where('id', '=', input.runId)
    .execute();
}

/** A retry begins: RUNNING again, the old final state dropped. False when it is not FAILED (any more). */
export async function resetRunForRetry(db: Db, runId: string): Promise<RunRow | undefined> {
  return db
    .updateTable('runs')
    .set({ status: 'RUNNING', state: null, finished_at: null, updated_at: sql<Date>`now()` })
    .where('id', '=', runId)
    .where('status', '=', 'FAILED')
    .returningAll()
    .executeTakeFirst();
}

/** Members' ids by name, for a gate's approvers. */
export async function memberIdsByName(db: Db, names: string[]): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  const rows = await db.selectFrom('members').select(['id', 'name']).where('name', 'in', names).execute();
  return new Map(rows.map((r) => [r.name, r.id]));
}

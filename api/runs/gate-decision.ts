import { isRequestId } from '../../db/ids';
import { findRun } from '../../db/repositories/run.repository';
import type { Member } from '../../db/tables/member.table';
import type { RunRow } from '../../db/tables/run.table';
import { ErrorType } from '../../workflows/errors';
import { runWorkflowId } from '../../workflows/runs/run-contract';
import type { StepSpec } from '../../workflows/runs/spec';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { validate } from '../http/validate';
import { waitForClose } from '../jobs/job-workflow';
import { decideGate } from './run-temporal';

export const noSuchRun = () => new ApiError(ErrorType.NotFound, 'No such run.');

export const gatesOf = (row: RunRow) => (row.spec.steps as StepSpec[]).filter((s) => s.kind === 'gate');

/** A run its owner sees, and the members its gates list as approvers; to anyone else the 404 of a bad id. */
export async function visibleRun(deps: Pick<ApiDeps, 'db'>, member: Member, id: string): Promise<RunRow> {
  const row = isRequestId(id) ? await findRun(deps.db, id) : undefined;
  if (!row) throw noSuchRun();
  if (row.member_id !== member.id && !gatesOf(row).some((g) => (g.approvers ?? []).includes(member.name))) {
    throw noSuchRun();
  }
  return row;
}

/** Who may decide a gate: the run's owner, and the members that gate lists. Anyone else: 404. */
export function mayDecide(row: RunRow, member: Member, stepId: string): boolean {
  if (row.member_id === member.id) return true;
  const gate = gatesOf(row).find((g) => g.id === stepId);
  return Boolean(gate && (gate.approvers ?? []).includes(member.name));
}

/**
 * One gate decision, whoever sends it (the API's approve/reject routes and the approvals page):
 * the run must be visible to the member and the gate theirs to decide (else 404), the body valid
 * (`GateApproval`: `value`, `comment`; `GateRejection`: `reason`), and the gate waiting (else 409,
 * from the workflow's validator). A rejection ends the run CANCELED; this waits for that.
 * Answers the run's row as it is afterwards.
 */
export async function decideRunGate(
  deps: ApiDeps,
  member: Member,
  runId: string,
  stepId: string,
  decision: 'approve' | 'reject',
  body: unknown,
): Promise<RunRow> {
  const row = await visibleRun(deps, member, runId);
  if (!mayDecide(row, member, stepId)) throw noSuchRun();
  if (decision === 'approve') {
    const approval = validate<{ value?: unknown; comment?: string }>('GateApproval', body);
    await decideGate(deps, row, {
      stepId,
      decision: 'approve',
      ...('value' in approval && { value: approval.value }),
      ...(approval.comment !== undefined && { comment: approval.comment }),
      by: member.name,
    });
    return row;
  }
  const rejection = validate<{ reason?: string }>('GateRejection', body);
  await decideGate(deps, row, {
    stepId,
    decision: 'reject',
    ...(rejection.reason !== undefined && { reason: rejection.reason }),
    by: member.name,
  });
  // The run ends CANCELED at once; answer with its final state.
  await waitForClose(deps, runWorkflowId(row.id));
  return (await findRun(deps.db, row.id)) ?? row;
}

import type { Context } from 'koa';
import { insertRun, setRunStatus } from '../../db/repositories/run.repository';
import type { RunRow } from '../../db/tables/run.table';
import { ErrorType } from '../../workflows/errors';
import type { RunInput } from '../../workflows/runs/run-contract';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { newRequestId } from '../inference/start-inference';
import { bodyHash, derivedId, idempotencyKey } from '../jobs/idempotency';
import { checkRunRequest } from './check-run-request';
import { startRunWorkflow } from './run-temporal';

type Ctx = Context & { state: AuthState };

export const RUNS_ENDPOINT = '/v1/workflows/runs';

/**
 * `POST /v1/workflows/runs`: checks the request as a whole (one 400 listing every problem), writes
 * the run's row and starts its workflow `run-<id>`. With an Idempotency-Key, the same member, key
 * and body give the same run (created once, started once); the same key with another body is 422.
 */
export async function submitRun(deps: ApiDeps, ctx: Ctx, raw: Record<string, unknown>): Promise<RunRow> {
  const key = idempotencyKey(ctx);
  const member = ctx.state.member;
  const hash = bodyHash(RUNS_ENDPOINT, raw);
  const checked = await checkRunRequest(deps.db, raw);
  const runId = key ? derivedId('run', member.id, key) : newRequestId();
  const { row, created } = await insertRun(deps.db, {
    id: runId,
    memberId: member.id,
    template: checked.template,
    spec: checked.spec,
    inputs: checked.inputs,
    idempotencyKey: key ?? null,
    bodyHash: hash,
  });
  if (row.body_hash !== hash || row.member_id !== member.id) {
    throw new ApiError(
      ErrorType.IdempotencyKeyReused,
      'This Idempotency-Key was already used with another request body; use a new key for a new run.',
      { param: 'Idempotency-Key' },
    );
  }
  // Also for a keyed row still RUNNING: its first submission may have died between the row and the start.
  if (created || row.status === 'RUNNING') {
    const input: RunInput = {
      runId,
      memberId: member.id,
      memberName: member.name,
      template: checked.template,
      spec: checked.spec,
      inputs: checked.inputs,
      mapConcurrency: deps.config.dispatch.mapConcurrency,
    };
    try {
      await startRunWorkflow(deps, input);
    } catch (err) {
      // Without a key nobody can resubmit this run: it ends here, FAILED, rather than RUNNING forever.
      if (!key) {
        await setRunStatus(deps.db, { runId, status: 'FAILED', final: true }).catch(() => undefined);
      }
      throw err;
    }
  }
  return row;
}

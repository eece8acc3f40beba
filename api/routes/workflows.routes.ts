import Router from '@koa/router';
import type { Context } from 'koa';
import { isRequestId } from '../../db/ids';
import { findRun, listRuns, resetRunForRetry } from '../../db/repositories/run.repository';
import type { RunRow } from '../../db/tables/run.table';
import { FINAL_RUN_STATUSES, runView, storedState } from '../../domain/run-view';
import { TEMPLATES, templateOf, type Template } from '../../templates';
import { ErrorType } from '../../workflows/errors';
import { RUN_STATUSES, runWorkflowId, type RunInput, type RunState } from '../../workflows/runs/run-contract';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { clientGoneSignal } from '../http/client-gone';
import { enumParam, limitParam, listPage, queryParam } from '../http/list-params';
import { readJsonBody, readOptionalJsonBody } from '../http/read-body';
import { guardedTemporal } from '../http/temporal-guard';
import { startInput, waitForClose } from '../jobs/job-workflow';
import { decideRunGate, noSuchRun, visibleRun } from '../runs/gate-decision';
import { runState, startRunWorkflow } from '../runs/run-temporal';
import { submitRun } from '../runs/submit-run';

type Ctx = Context & { state: AuthState; params: Record<string, string> };

/** The longest `?wait=` holds an answer. */
export const MAX_WAIT_SECONDS = 60;

const templateView = (t: Template, withSpec: boolean) => ({
  key: t.key,
  object: 'workflow.template' as const,
  title: t.title,
  description: t.description,
  inputs: t.inputs,
  ...(withSpec && { spec: t.spec }),
});

/**
 * Workflow runs and their templates. A run is seen by its owner and by the members its gates list
 * as approvers (who decide those gates); to anyone else it is the same 404 as a bad id.
 */
export function workflowsRoutes(deps: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/v1/workflows' });
  const view = async (row: RunRow, state?: RunState) => runView(deps.config, row, state ?? (await runState(deps, row)));
  const visible = (ctx: Ctx): Promise<RunRow> => visibleRun(deps, ctx.state.member, ctx.params.id);
  const own = async (ctx: Ctx): Promise<RunRow> => {
    const row = await visible(ctx);
    if (row.member_id !== ctx.state.member.id) throw noSuchRun();
    return row;
  };

  router.get('/templates', (ctx) => {
    ctx.body = { object: 'list', data: Object.values(TEMPLATES).map((t: Template) => templateView(t, false)) };
  });

  router.get('/templates/:key', (ctx) => {
    const template = templateOf(ctx.params.key);
    if (!template) throw new ApiError(ErrorType.NotFound, `No template '${ctx.params.key}'.`);
    ctx.body = templateView(template, true);
  });

  router.post('/runs', async (ctx) => {
    const raw = (await readJsonBody(ctx, deps.config.api.maxBodyBytes)) as Record<string, unknown>;
    const row = await submitRun(deps, ctx, raw);
    ctx.status = 201;
    ctx.set('location', `/v1/workflows/runs/${row.id}`);
    // Just started: every step PENDING (asking the workflow now would wait for its first task).
    ctx.body = await view(row, row.finished_at ? undefined : storedState(row));
  });

  router.get('/runs', async (ctx) => {
    const limit = limitParam(ctx);
    const status = enumParam(ctx, 'status', RUN_STATUSES);
    const afterId = queryParam(ctx, 'after');
    const after = afterId !== undefined && isRequestId(afterId) ? await findRun(deps.db, afterId) : undefined;
    if (afterId !== undefined && after?.member_id !== ctx.state.member.id) {
      throw badRequest("'after' is not one of your runs.", { param: 'after' });
    }
    const page = listPage(await listRuns(deps.db, ctx.state.member.id, { status, limit, after }), limit);
    ctx.body = { ...page, data: await Promise.all(page.data.map((row) => view(row))) };
  });

  router.get('/runs/:id', async (ctx) => {
    const row = await visible(ctx);
    ctx.body = await view(row, await waitWhileRunning(deps, ctx, row, waitParam(ctx)));
  });

  // The approvals page sends its decisions through the same function (api/runs/gate-decision.ts).
  router.post('/runs/:id/steps/:step_id/approve', async (ctx) => {
    const body = await readOptionalJsonBody(ctx, deps.config.api.maxBodyBytes);
    const row = await decideRunGate(deps, ctx.state.member, ctx.params.id, ctx.params.step_id, 'approve', body);
    ctx.body = await view(row);
  });

  router.post('/runs/:id/steps/:step_id/reject', async (ctx) => {
    const body = await readOptionalJsonBody(ctx, deps.config.api.maxBodyBytes);
    ctx.body = await view(
      await decideRunGate(deps, ctx.state.member, ctx.params.id, ctx.params.step_id, 'reject', body),
    );
  });

  router.post('/runs/:id/cancel', async (ctx) => {
    const row = await own(ctx);
    if (FINAL_RUN_STATUSES.includes(row.status as RunState['status'])) {
      throw new ApiError(
        ErrorType.InvalidState,
        `Run ${row.id} is ${row.status}; only a run still going can be canceled.`,
        {
          code: row.status.toLowerCase(),
        },
      );
    }
    // The workflow cancels its running children (their agents stop) and records the run CANCELED.
    await guardedTemporal(deps.temporal, () => deps.temporal.client.workflow.getHandle(runWorkflowId(row.id)).cancel());
    await waitForClose(deps, runWorkflowId(row.id));
    ctx.body = await view((await findRun(deps.db, row.id)) ?? row);
  });

  router.post('/runs/:id/retry', async (ctx) => {
    const row = await own(ctx);
    if (row.status !== 'FAILED') {
      throw new ApiError(ErrorType.InvalidState, `Run ${row.id} is ${row.status}; only a FAILED run can be retried.`, {
        code: row.status.toLowerCase(),
      });
    }
    const previous = await startInput<RunInput>(deps, runWorkflowId(row.id)).catch(() => undefined);
    const done = storedState(row).steps.filter((s) => s.status === 'DONE');
    const reset = await resetRunForRetry(deps.db, row.id);
    if (!reset) throw new ApiError(ErrorType.InvalidState, `Run ${row.id} is being retried already.`);
    await startRunWorkflow(deps, {
      runId: row.id,
      memberId: row.member_id,
      memberName: ctx.state.member.name,
      template: row.template,
      spec: row.spec as unknown as RunInput['spec'],
      inputs: row.inputs,
      mapConcurrency: deps.config.dispatch.mapConcurrency,
      seed: done,
      generation: (previous?.generation ?? 0) + 1,
    });
    ctx.status = 202;
    ctx.body = await view(reset, { ...storedState(reset), steps: mergeSeed(storedState(reset).steps, done) });
  });

  return router;
}

/** How often a `?wait` reads the run's row. */
const WAIT_POLL_MS = 100;

/** `?wait=<seconds>`: 0 to 60. */
function waitParam(ctx: Context): number {
  const raw = queryParam(ctx, 'wait');
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || n > MAX_WAIT_SECONDS) {
    throw badRequest(`'wait' must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}.`, { param: 'wait' });
  }
  return n;
}

/**
 * The run's state once it leaves RUNNING (a gate waits, or it ended), or when `seconds` have passed.
 * The run's row follows its status (the workflow writes each change), so the wait reads the row
 * every 100 ms, which costs the workflow nothing, and asks the workflow for its state once, at the end.
 */
async function waitWhileRunning(deps: ApiDeps, ctx: Ctx, row: RunRow, seconds: number): Promise<RunState> {
  const deadline = Date.now() + seconds * 1000;
  const gone = clientGoneSignal(ctx);
  let now = row;
  while (now.status === 'RUNNING' && Date.now() < deadline && !gone.aborted) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(WAIT_POLL_MS, Math.max(0, deadline - Date.now()))));
    now = (await findRun(deps.db, row.id)) ?? now;
  }
  return runState(deps, now);
}

/** A retried run's steps as it starts: the kept ones DONE, the rest PENDING. */
function mergeSeed(steps: RunState['steps'], done: RunState['steps']): RunState['steps'] {
  const kept = new Map(done.map((s) => [s.step_id, s]));
  return steps.map((s) => kept.get(s.step_id) ?? s);
}

import Router from '@koa/router';
import type { Context } from 'koa';
import { isRequestId } from '../../db/ids';
import { ACTIVE_STATUSES, findJob, listJobs, resetJobForRetry } from '../../db/repositories/job.repository';
import type { RequestRow } from '../../db/tables/request.table';
import { jobView, jobViews } from '../../domain/job-view';
import { ErrorType } from '../../workflows/errors';
import { REQUEST_STATUSES, type InferenceInput } from '../../workflows/inference-contract';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { enumParam, limitParam, listPage, queryParam } from '../http/list-params';
import { guardedTemporal } from '../http/temporal-guard';
import { startJobWorkflow } from '../jobs/submit-job';
import { startInput, waitForClose } from '../jobs/job-workflow';

type Ctx = Context & { state: AuthState };

const notFound = () => new ApiError(ErrorType.NotFound, 'No such job.');

/** Async jobs: get, list, cancel, retry. Another member's job is the same 404 as a bad id. */
export function jobsRoutes(deps: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/v1/jobs' });
  const own = async (ctx: Ctx & { params: Record<string, string> }): Promise<RequestRow> => {
    const row = isRequestId(ctx.params.id) ? await findJob(deps.db, ctx.state.member.id, ctx.params.id) : undefined;
    if (!row) throw notFound();
    return row;
  };

  router.get('/', async (ctx) => {
    const limit = limitParam(ctx);
    const status = enumParam(ctx, 'status', REQUEST_STATUSES);
    const active = queryParam(ctx, 'active');
    if (active !== undefined && active !== '1' && active !== 'true' && active !== '0' && active !== 'false') {
      throw badRequest("'active' must be 1 or 0.", { param: 'active' });
    }
    const afterId = queryParam(ctx, 'after');
    const after =
      afterId === undefined
        ? undefined
        : isRequestId(afterId)
          ? await findJob(deps.db, ctx.state.member.id, afterId)
          : undefined;
    if (afterId !== undefined && !after) throw badRequest("'after' is not one of your jobs.", { param: 'after' });
    const rows = await listJobs(deps.db, ctx.state.member.id, {
      status,
      active: active === '1' || active === 'true',
      limit,
      after,
    });
    const page = listPage(rows, limit);
    ctx.body = { ...page, data: await jobViews(deps, page.data) };
  });

  router.get('/:id', async (ctx) => {
    ctx.body = await jobView(deps, await own(ctx));
  });

  router.post('/:id/cancel', async (ctx) => {
    const row = await own(ctx);
    if (!(ACTIVE_STATUSES as readonly string[]).includes(row.status)) {
      throw new ApiError(
        ErrorType.InvalidState,
        `Job ${row.id} is ${row.status}; only QUEUED or PROCESSING jobs can be canceled.`,
        {
          code: row.status.toLowerCase(),
        },
      );
    }
    // The workflow carries the cancellation to the agent, which aborts its upstream call.
    await guardedTemporal(deps.temporal, () => deps.temporal.client.workflow.getHandle(row.workflow_id).cancel());
    await waitForClose(deps, row.workflow_id);
    ctx.body = await jobView(deps, (await findJob(deps.db, row.member_id, row.id)) ?? row);
  });

  router.post('/:id/retry', async (ctx) => {
    const row = await own(ctx);
    if (row.status !== 'FAILED' && row.status !== 'CANCELED') {
      throw new ApiError(
        ErrorType.InvalidState,
        `Job ${row.id} is ${row.status}; only FAILED or CANCELED jobs can be retried.`,
        {
          code: row.status.toLowerCase(),
        },
      );
    }
    const input = await startInput<InferenceInput>(deps, row.workflow_id);
    const reset = await resetJobForRetry(deps.db, row.member_id, row.id);
    if (!reset) {
      const now = (await findJob(deps.db, row.member_id, row.id)) ?? row;
      throw new ApiError(ErrorType.InvalidState, `Job ${row.id} is ${now.status}; it is being retried already.`);
    }
    // The retry plans afresh (the first run's providers may be gone) and records its provider.
    await startJobWorkflow(deps, ctx.state.member.name, { ...input, plan: undefined, recorded: undefined });
    ctx.status = 202;
    ctx.body = await jobView(deps, reset);
  });

  return router;
}

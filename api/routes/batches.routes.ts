import Router from '@koa/router';
import type { Context } from 'koa';
import { findBatch, listBatches, setBatchStatus } from '../../db/repositories/batch.repository';
import type { BatchRow } from '../../db/tables/batch.table';
import { batchViews } from '../../domain/batch-view';
import { batchWorkflowId } from '../../workflows/batch-contract';
import { ErrorType } from '../../workflows/errors';
import { submitBatch } from '../batches/submit-batch';
import type { BatchRequest } from '../batches/batch-items';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { limitParam, listPage, queryParam } from '../http/list-params';
import { readJsonBody } from '../http/read-body';
import { guardedTemporal } from '../http/temporal-guard';
import { validate } from '../http/validate';

type Ctx = Context & { state: AuthState; params: Record<string, string> };

const ENDED = ['completed', 'failed', 'cancelled', 'expired'];
const isBatchId = (id: string) => /^batch_[0-9a-f]{24}$/.test(id);

/** Batches: up to 256 requests run as jobs, OpenAI's batch object, its output file in input order. */
export function batchesRoutes(deps: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/v1/batches' });
  const own = async (ctx: Ctx): Promise<BatchRow> => {
    const row = isBatchId(ctx.params.id) ? await findBatch(deps.db, ctx.state.member.id, ctx.params.id) : undefined;
    if (!row) throw new ApiError(ErrorType.NotFound, 'No such batch.');
    return row;
  };
  const one = async (row: BatchRow) => (await batchViews(deps.db, [row], true))[0];

  router.post('/', async (ctx) => {
    const raw = await readJsonBody(ctx, deps.config.api.maxBodyBytes);
    const req = validate<BatchRequest>('BatchRequest', raw);
    const row = await submitBatch(deps, ctx, req, raw);
    ctx.body = await one((await findBatch(deps.db, row.member_id, row.id)) ?? row);
  });

  router.get('/', async (ctx) => {
    const limit = limitParam(ctx);
    const afterId = queryParam(ctx, 'after');
    const after = afterId && isBatchId(afterId) ? await findBatch(deps.db, ctx.state.member.id, afterId) : undefined;
    if (afterId !== undefined && !after) throw badRequest("'after' is not one of your batches.", { param: 'after' });
    const page = listPage(await listBatches(deps.db, ctx.state.member.id, limit, after), limit);
    ctx.body = { ...page, data: await batchViews(deps.db, page.data) };
  });

  router.get('/:id', async (ctx) => {
    ctx.body = await one(await own(ctx));
  });

  router.post('/:id/cancel', async (ctx) => {
    const row = await own(ctx);
    if (ENDED.includes(row.status)) {
      throw new ApiError(
        ErrorType.InvalidState,
        `Batch ${row.id} is ${row.status}; only a batch still running can be canceled.`,
      );
    }
    await setBatchStatus(deps.db, row.id, 'cancelling');
    // Every unfinished job ends CANCELED (running ones stop at their agents); finished ones keep their results.
    await guardedTemporal(deps.temporal, () =>
      deps.temporal.client.workflow.getHandle(batchWorkflowId(row.id)).cancel(),
    );
    ctx.body = await one((await findBatch(deps.db, row.member_id, row.id)) ?? row);
  });

  return router;
}

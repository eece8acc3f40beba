import Router from '@koa/router';
import type { Context } from 'koa';
import { isRequestId, isUuid } from '../../db/ids';
import { awaitingRunsFor } from '../../db/repositories/approval.repository';
import { findBatch, listBatches } from '../../db/repositories/batch.repository';
import {
  findCollection,
  getOrCreateCollection,
  listCollections,
  nameTaken,
  removeCollectionItem,
  reorderCollection,
  updateCollection,
} from '../../db/repositories/collection.repository';
import { findHistoryRow, setRequestVisibility } from '../../db/repositories/history.repository';
import { deleteOwnRequest } from '../sharing/own-request';
import { findJob, listJobs } from '../../db/repositories/job.repository';
import {
  createApiKey,
  listApiKeys,
  revokeApiKey,
  updateAccountDefaults,
  type AccountDefaults,
} from '../../db/repositories/member.repository';
import { findRun, listRuns } from '../../db/repositories/run.repository';
import { batchViews } from '../../domain/batch-view';
import { jobViews } from '../../domain/job-view';
import { runView } from '../../domain/run-view';
import { isVisibility, type Visibility } from '../../domain/visibility';
import { ErrorType } from '../../workflows/errors';
import { REQUEST_KINDS } from '../../workflows/inference-contract';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest } from '../http/api-error';
import { forgetMember, type AuthState } from '../http/auth';
import { safeNext } from './session-pages.routes';
import { queryParam } from '../http/list-params';
import { readForm } from '../http/read-form';
import { validate } from '../http/validate';
import { KeysPage, SettingsPage } from '../pages/account';
import { CollectionEditPage, CollectionsPage, HistoryPage } from '../pages/history';
import { NotFoundPage, sendPage } from '../pages/render';
import { ApprovalsPage, BatchesPage, JobsPage, RunPage, RunsPage, type WaitingGate } from '../pages/work';
import { decideRunGate, mayDecide, visibleRun } from '../runs/gate-decision';
import { runState } from '../runs/run-temporal';
import { collectionObject, collectionView, listHistory } from '../sharing/sharing-views';

type Ctx = Context & { state: AuthState; params: Record<string, string> };

const PAGE_SIZE = 30;

/** After a form did its work: back to a page (303, so a reload does not post again). */
function seeOther(ctx: Context, location: string): void {
  ctx.status = 303;
  ctx.redirect(location);
}

/** An optional query parameter restricted to `allowed`; an empty value (a form's "any") is absent. */
function choice<T extends string>(ctx: Context, name: string, allowed: readonly T[]): T | undefined {
  const raw = queryParam(ctx, name);
  if (raw === undefined || raw === '') return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw badRequest(`'${name}' must be one of ${allowed.join(', ')}.`, { param: name });
  }
  return raw as T;
}

function formVisibility(form: Record<string, string>, param = 'visibility'): Visibility {
  const value = form[param];
  if (!isVisibility(value)) {
    throw badRequest(`'${param}' must be one of PUBLIC, UNLISTED, PRIVATE, SECRET.`, { param });
  }
  return value;
}

/**
 * The signed-in pages: the dashboard (history, collections, settings, API keys, jobs, batches,
 * runs) and the approvals page. Mounted behind `signedInPage` (a session cookie or a key; a
 * browser without either is sent to sign in), which also checks every form's CSRF token.
 */
export function dashboardPagesRoutes(deps: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>();
  const { db, config } = deps;
  const page = (ctx: Ctx) => ({ member: ctx.state.member, csrf: ctx.state.session?.csrfToken });

  // History, with filters and previews.
  router.get('/dashboard', async (ctx) => {
    const { member } = ctx.state;
    const kind = choice(ctx, 'kind', Object.keys(REQUEST_KINDS));
    const visibility = choice(ctx, 'visibility', ['PUBLIC', 'UNLISTED', 'PRIVATE', 'SECRET'] as const);
    const model = queryParam(ctx, 'model') || undefined;
    const collectionId = queryParam(ctx, 'collection') || undefined;
    const afterId = queryParam(ctx, 'after');
    const after = afterId ? await findHistoryRow(db, afterId) : undefined;
    if (afterId && after?.member_id !== member.id) {
      throw badRequest("'after' is not one of your requests.", { param: 'after' });
    }
    const collections = await listCollections(db, member.id);
    if (collectionId && !collections.some((c) => c.id === collectionId)) {
      throw badRequest("'collection' is not one of your collections.", { param: 'collection' });
    }
    const list = await listHistory(deps, member.id, {
      kind,
      model,
      visibility,
      collectionId,
      limit: PAGE_SIZE,
      after,
    });
    await sendPage(
      ctx,
      <HistoryPage
        {...page(ctx)}
        config={config}
        entries={list.data}
        hasMore={list.has_more}
        filters={{ kind, model, visibility, collection: collectionId }}
        kinds={Object.keys(REQUEST_KINDS)}
        collections={collections.map((c) => collectionObject(deps, c, c.item_count, member.name))}
      />,
    );
  });

  /** A request's visibility, from its history row (as PATCH /api/inference/requests/<id>/ sets it). */
  router.post('/dashboard/requests/:id/visibility', async (ctx) => {
    const form = await readForm(ctx);
    const visibility = formVisibility(form);
    if (
      !isRequestId(ctx.params.id) ||
      !(await setRequestVisibility(db, ctx.state.member.id, ctx.params.id, visibility))
    ) {
      throw new ApiError(ErrorType.NotFound, 'No such request.');
    }
    seeOther(ctx, safeNext(form.back));
  });

  /** Deletes a finished request from the history (as DELETE /api/inference/requests/<id>/ does). */
  router.post('/dashboard/requests/:id/delete', async (ctx) => {
    const form = await readForm(ctx);
    await deleteOwnRequest(deps, ctx.state.member.id, String(ctx.params.id));
    seeOther(ctx, safeNext(form.back));
  });

  // Collections: create, rename, visibility, reorder, remove items.
  router.get('/dashboard/collections', async (ctx) => {
    const { member } = ctx.state;
    const rows = await listCollections(db, member.id);
    await sendPage(
      ctx,
      <CollectionsPage
        {...page(ctx)}
        config={config}
        collections={rows.map((c) => collectionObject(deps, c, c.item_count, member.name))}
      />,
    );
  });

  router.post('/dashboard/collections', async (ctx) => {
    const form = await readForm(ctx);
    const body = validate<{ name: string; visibility: Visibility }>('CollectionCreate', {
      name: form.name ?? '',
      visibility: formVisibility(form),
    });
    const { collection } = await getOrCreateCollection(db, ctx.state.member.id, body.name.trim(), body.visibility);
    seeOther(ctx, `/dashboard/collections/${collection.id}`);
  });

  const ownCollection = async (ctx: Ctx) => {
    const collection = await findCollection(db, ctx.state.member.id, ctx.params.id);
    if (!collection) throw new ApiError(ErrorType.NotFound, 'No such collection.');
    return collection;
  };

  router.get('/dashboard/collections/:id', async (ctx) => {
    const collection = await findCollection(db, ctx.state.member.id, ctx.params.id);
    if (!collection) {
      await sendPage(ctx, <NotFoundPage {...page(ctx)} />, 404);
      return;
    }
    const view = await collectionView(deps, { memberId: ctx.state.member.id }, collection, ctx.state.member.name);
    await sendPage(ctx, <CollectionEditPage {...page(ctx)} config={config} collection={view} />);
  });

  /** Rename and/or change the collection's own visibility (its items keep theirs). */
  router.post('/dashboard/collections/:id', async (ctx) => {
    const collection = await ownCollection(ctx);
    const form = await readForm(ctx);
    const patch = validate<{ name?: string; visibility?: Visibility }>('CollectionPatch', {
      ...(form.name !== undefined && { name: form.name }),
      ...(form.visibility !== undefined && { visibility: formVisibility(form) }),
    });
    const name = patch.name?.trim();
    if (name !== undefined && (await nameTaken(db, collection.member_id, name, collection.id))) {
      throw new ApiError(ErrorType.Conflict, `You already have a collection named '${name}'.`, { param: 'name' });
    }
    await updateCollection(db, collection.member_id, collection.id, {
      ...(name !== undefined && { name }),
      ...(patch.visibility !== undefined && { visibility: patch.visibility }),
    });
    seeOther(ctx, form.name !== undefined ? `/dashboard/collections/${collection.id}` : '/dashboard/collections');
  });

  /** Moves one item a place up or down in the playlist order. */
  router.post('/dashboard/collections/:id/order', async (ctx) => {
    const collection = await ownCollection(ctx);
    const form = await readForm(ctx);
    if (form.move !== 'up' && form.move !== 'down') throw badRequest("'move' must be up or down.", { param: 'move' });
    const view = await collectionView(deps, { memberId: ctx.state.member.id }, collection, ctx.state.member.name);
    const order = view.items.map((i) => i.id);
    const at = order.indexOf(form.request_id ?? '');
    if (at < 0) throw new ApiError(ErrorType.NotFound, 'That request is not in this collection.');
    const to = form.move === 'up' ? at - 1 : at + 1;
    if (to >= 0 && to < order.length) {
      [order[at], order[to]] = [order[to], order[at]];
      await reorderCollection(db, collection.id, order);
    }
    seeOther(ctx, `/dashboard/collections/${collection.id}`);
  });

  router.post('/dashboard/collections/:id/remove', async (ctx) => {
    const collection = await ownCollection(ctx);
    const form = await readForm(ctx);
    const requestId = form.request_id ?? '';
    if (!isRequestId(requestId) || !(await removeCollectionItem(db, collection.id, requestId))) {
      throw new ApiError(ErrorType.NotFound, 'That request is not in this collection.');
    }
    seeOther(ctx, `/dashboard/collections/${collection.id}`);
  });

  // Settings: the two account defaults, through the same schema as PATCH /api/account/.
  router.get('/dashboard/settings', async (ctx) => {
    await sendPage(ctx, <SettingsPage {...page(ctx)} saved={ctx.query.saved === '1'} />);
  });

  router.post('/dashboard/settings', async (ctx) => {
    const form = await readForm(ctx);
    const name = (form.default_collection_name ?? '').trim();
    const patch = validate<AccountDefaults>('AccountPatch', {
      default_request_visibility: formVisibility(form, 'default_request_visibility'),
      ...(name !== '' && { default_collection_name: name }),
    });
    const updated = await updateAccountDefaults(db, ctx.state.member.id, {
      ...patch,
      default_collection_name: name === '' ? null : name,
    });
    if (!updated) throw new ApiError(ErrorType.NotAuthenticated, 'Your account is gone.');
    forgetMember(ctx.state.member.id);
    seeOther(ctx, '/dashboard/settings?saved=1');
  });

  // API keys: create (shown once), revoke.
  router.get('/dashboard/keys', async (ctx) => {
    await sendPage(ctx, <KeysPage {...page(ctx)} keys={await listApiKeys(db, ctx.state.member.id)} />);
  });

  router.post('/dashboard/keys', async (ctx) => {
    await readForm(ctx);
    const key = await createApiKey(db, ctx.state.member.id);
    ctx.set('cache-control', 'no-store');
    await sendPage(
      ctx,
      <KeysPage {...page(ctx)} keys={await listApiKeys(db, ctx.state.member.id)} created={key} />,
      201,
    );
  });

  router.post('/dashboard/keys/:id/revoke', async (ctx) => {
    await readForm(ctx);
    if (!isUuid(ctx.params.id) || !(await revokeApiKey(db, ctx.state.member.id, ctx.params.id))) {
      throw new ApiError(ErrorType.NotFound, 'No such active key.');
    }
    seeOther(ctx, '/dashboard/keys');
  });

  // Async jobs, batches, runs.
  router.get('/dashboard/jobs', async (ctx) => {
    const status = choice(ctx, 'status', ['QUEUED', 'PROCESSING', 'PROCESSED', 'FAILED', 'CANCELED'] as const);
    const afterId = queryParam(ctx, 'after');
    const after = afterId && isRequestId(afterId) ? await findJob(db, ctx.state.member.id, afterId) : undefined;
    if (afterId && !after) throw badRequest("'after' is not one of your jobs.", { param: 'after' });
    const rows = await listJobs(db, ctx.state.member.id, { status, limit: PAGE_SIZE, after });
    const jobs = await jobViews(deps, rows.slice(0, PAGE_SIZE));
    await sendPage(
      ctx,
      <JobsPage {...page(ctx)} config={config} jobs={jobs} hasMore={rows.length > PAGE_SIZE} status={status} />,
    );
  });

  router.get('/dashboard/batches', async (ctx) => {
    const afterId = queryParam(ctx, 'after');
    const after = afterId ? await findBatch(db, ctx.state.member.id, afterId) : undefined;
    if (afterId && !after) throw badRequest("'after' is not one of your batches.", { param: 'after' });
    const rows = await listBatches(db, ctx.state.member.id, PAGE_SIZE, after);
    const batches = await batchViews(db, rows.slice(0, PAGE_SIZE));
    await sendPage(ctx, <BatchesPage {...page(ctx)} batches={batches} hasMore={rows.length > PAGE_SIZE} />);
  });

  router.get('/dashboard/runs', async (ctx) => {
    const afterId = queryParam(ctx, 'after');
    const after = afterId && isRequestId(afterId) ? await findRun(db, afterId) : undefined;
    if (afterId && after?.member_id !== ctx.state.member.id) {
      throw badRequest("'after' is not one of your runs.", { param: 'after' });
    }
    const rows = await listRuns(db, ctx.state.member.id, { limit: PAGE_SIZE, after });
    // The list shows what the rows know (no live query per run); a run's page asks its workflow.
    const runs = await Promise.all(
      rows.slice(0, PAGE_SIZE).map(async (row) => runView(config, row, await runState(deps, row))),
    );
    await sendPage(ctx, <RunsPage {...page(ctx)} runs={runs} hasMore={rows.length > PAGE_SIZE} />);
  });

  router.get('/dashboard/runs/:id', async (ctx) => {
    const row = await visibleRun(deps, ctx.state.member, ctx.params.id).catch(() => undefined);
    if (!row) {
      await sendPage(ctx, <NotFoundPage {...page(ctx)} />, 404);
      return;
    }
    await sendPage(
      ctx,
      <RunPage {...page(ctx)} config={config} run={runView(config, row, await runState(deps, row))} />,
    );
  });

  // Approvals: the gates waiting for this member, decided through the API's own code path.
  router.get('/approvals', async (ctx) => {
    const { member } = ctx.state;
    const rows = await awaitingRunsFor(db, member);
    const gates: WaitingGate[] = [];
    for (const row of rows) {
      const state = await runState(deps, row);
      const run = runView(config, row, state);
      run.steps.forEach((step, i) => {
        if (step.kind === 'gate' && step.status === 'AWAITING' && mayDecide(row, member, step.step_id)) {
          gates.push({ run, step, raw: state.steps[i].gate?.show, owner: row.member_id === member.id });
        }
      });
    }
    await sendPage(ctx, <ApprovalsPage {...page(ctx)} config={config} gates={gates} />);
  });

  router.post('/approvals/:id/:step/approve', async (ctx) => {
    const form = await readForm(ctx);
    const body: Record<string, unknown> = {};
    if (form.value !== undefined && form.value.trim() !== '') {
      let value: unknown;
      try {
        value = JSON.parse(form.value);
      } catch {
        throw badRequest('The value is not valid JSON; fix it or leave it as shown.', { param: 'value' });
      }
      // Approved as shown unless the value was changed: then the edit replaces it.
      const row = await visibleRun(deps, ctx.state.member, ctx.params.id);
      const state = await runState(deps, row);
      const shown = state.steps.find((s) => s.step_id === ctx.params.step)?.gate?.show;
      if (JSON.stringify(shown) !== JSON.stringify(value)) body.value = value;
    }
    if (form.comment) body.comment = form.comment;
    const row = await decideRunGate(deps, ctx.state.member, ctx.params.id, ctx.params.step, 'approve', body);
    seeOther(ctx, `/dashboard/runs/${row.id}`);
  });

  router.post('/approvals/:id/:step/reject', async (ctx) => {
    const form = await readForm(ctx);
    const row = await decideRunGate(
      deps,
      ctx.state.member,
      ctx.params.id,
      ctx.params.step,
      'reject',
      form.reason ? { reason: form.reason } : {},
    );
    seeOther(ctx, `/dashboard/runs/${row.id}`);
  });

  return router;
}

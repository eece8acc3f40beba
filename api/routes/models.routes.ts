import Router from '@koa/router';
import { listVisibleModels, type VisibleModel } from '../../db/repositories/provider.repository';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import type { AuthState } from '../http/auth';

/** OpenAI's model object, with the platform's capability fields beside it. */
function view(row: VisibleModel) {
  return {
    id: row.model_id,
    object: 'model',
    created: Math.floor(row.updated_at.getTime() / 1000),
    owned_by: row.provider_name,
    service_type: row.service_type,
    input_modalities: row.input_modalities,
    output_modalities: row.output_modalities,
    supported_features: row.supported_features,
    context_length: row.context_length,
  };
}

/**
 * `GET /v1/models` (one entry per model id, from the online providers the caller may use) and
 * `GET /v1/models/<id>` (the SDKs' `models.retrieve`; ids may contain `/` and `:`), with the
 * same visibility: a model nobody serves for you is a 404.
 */
export function modelsRoutes({ db, config }: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>();
  const visible = async (memberId: string) => {
    const rows = await listVisibleModels(db, memberId, config.dispatch.onlineSeconds);
    const byId = new Map<string, VisibleModel>();
    // Rows come the member's own provider first: that one names the model.
    for (const row of rows) if (!byId.has(row.model_id)) byId.set(row.model_id, row);
    return byId;
  };
  router.get('/v1/models', async (ctx) => {
    ctx.body = { object: 'list', data: [...(await visible(ctx.state.member.id)).values()].map(view) };
  });
  router.get('/v1/models/*model', async (ctx) => {
    const id = (ctx.params as { model?: string | string[] }).model;
    const modelId = Array.isArray(id) ? id.join('/') : (id ?? '');
    const row = (await visible(ctx.state.member.id)).get(modelId);
    if (!row) {
      throw new ApiError(ErrorType.NotFound, `The model '${modelId}' does not exist or is not served for you.`, {
        param: 'model',
        code: 'model_not_found',
      });
    }
    ctx.body = view(row);
  });
  return router;
}

import Router from '@koa/router';
import { listVisibleModels } from '../../db/repositories/provider.repository';
import type { ApiDeps } from '../deps';
import type { AuthState } from '../http/auth';

/** `GET /v1/models`: one entry per model id, from the online providers the caller may use. */
export function modelsRoutes({ db, config }: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>();
  router.get('/v1/models', async (ctx) => {
    const rows = await listVisibleModels(db, ctx.state.member.id, config.dispatch.onlineSeconds);
    const seen = new Set<string>();
    const data = [];
    for (const row of rows) {
      if (seen.has(row.model_id)) continue;
      seen.add(row.model_id);
      data.push({
        id: row.model_id,
        object: 'model',
        created: Math.floor(row.updated_at.getTime() / 1000),
        owned_by: row.provider_name,
        service_type: row.service_type,
        input_modalities: row.input_modalities,
        output_modalities: row.output_modalities,
        supported_features: row.supported_features,
        context_length: row.context_length,
      });
    }
    ctx.body = { object: 'list', data };
  });
  return router;
}

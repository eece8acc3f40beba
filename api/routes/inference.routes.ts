import Router, { type RouterMiddleware } from '@koa/router';
import type { BatchEndpoint } from '../../workflows/batch-jsonl';
import type { ApiDeps } from '../deps';
import type { AuthState } from '../http/auth';
import { readJsonBody } from '../http/read-body';
import { jsonCall } from '../inference/json-calls';
import { respondAnswer, runCall } from '../inference/run-call';

/** The OpenAI-compatible text endpoints; each call becomes one inference workflow. */
export function inferenceRoutes(deps: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>();
  const text = (endpoint: BatchEndpoint): RouterMiddleware<AuthState> => {
    return async (ctx) => {
      const call = jsonCall(endpoint, await readJsonBody(ctx, deps.config.api.maxBodyBytes));
      respondAnswer(deps, ctx, await runCall(deps, ctx, call));
    };
  };
  router.post('/v1/chat/completions', text('/v1/chat/completions'));
  router.post('/v1/completions', text('/v1/completions'));
  return router;
}

import Router, { type RouterMiddleware } from '@koa/router';
import type { ApiDeps } from '../deps';
import type { AuthState } from '../http/auth';
import { readJsonBody } from '../http/read-body';
import { validate } from '../http/validate';
import { requiredChatFeatures } from '../inference/required-features';
import { respondAnswer, runCall } from '../inference/run-call';
import type { RequestKind } from '../../workflows/inference-contract';
import type { SchemaId } from '../../schemas';

/** The OpenAI-compatible text endpoints; each call becomes one inference workflow. */
export function inferenceRoutes(deps: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>();
  const text = (kind: RequestKind, schema: SchemaId): RouterMiddleware<AuthState> => {
    return async (ctx) => {
      const body = validate<Record<string, unknown>>(schema, await readJsonBody(ctx, deps.config.api.maxBodyBytes));
      respondAnswer(ctx, await runCall(deps, ctx, { kind, body, requiredFeatures: requiredChatFeatures(body) }));
    };
  };
  router.post('/v1/chat/completions', text('chat', 'ChatCompletionRequest'));
  router.post('/v1/completions', text('completion', 'CompletionRequest'));
  return router;
}

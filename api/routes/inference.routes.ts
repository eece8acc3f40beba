import Router from '@koa/router';
import type { ApiDeps } from '../deps';
import type { AuthState } from '../http/auth';
import { readJsonBody } from '../http/read-body';
import { validate } from '../http/validate';
import { runInference } from '../inference/run-inference';

/** The OpenAI-compatible text endpoints; each call becomes one inference workflow. */
export function inferenceRoutes(deps: ApiDeps): Router<AuthState> {
  const router = new Router<AuthState>();
  router.post('/v1/chat/completions', async (ctx) => {
    const body = validate<Record<string, unknown>>(
      'ChatCompletionRequest',
      await readJsonBody(ctx, deps.config.api.maxBodyBytes),
    );
    await runInference(deps, ctx, 'chat', body);
  });
  router.post('/v1/completions', async (ctx) => {
    const body = validate<Record<string, unknown>>(
      'CompletionRequest',
      await readJsonBody(ctx, deps.config.api.maxBodyBytes),
    );
    await runInference(deps, ctx, 'completion', body);
  });
  return router;
}

import Router from '@koa/router';
import { getOrCreateWebhookSecret } from '../../db/repositories/member.repository';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import type { AuthState } from '../http/auth';

/** The member's own account settings, with their key. */
export function accountRoutes(deps: Pick<ApiDeps, 'db'>): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/account' });

  /** The secret that signs this member's webhooks (Standard Webhooks), created on first use. */
  router.get('/webhook-secret', async (ctx) => {
    const secret = await getOrCreateWebhookSecret(deps.db, ctx.state.member.id);
    // The key was valid a moment ago (auth caches for seconds): the member was deleted since.
    if (!secret) throw new ApiError(ErrorType.NotAuthenticated, 'Invalid API key.');
    ctx.set('cache-control', 'no-store');
    ctx.body = { secret };
  });

  return router;
}

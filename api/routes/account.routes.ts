import Router from '@koa/router';
import { getOrCreateWebhookSecret } from '../../db/repositories/member.repository';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { forgetMember, type AuthState } from '../http/auth';
import { readJsonBody } from '../http/read-body';
import { validate } from '../http/validate';
import { readAccount, updateAccountDefaults, type AccountDefaults } from '../../db/repositories/member.repository';
import type { Member } from '../../db/tables/member.table';

/** The member's own account settings, with their key. */
export function accountRoutes(deps: Pick<ApiDeps, 'db'>): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/account' });

  router.get('/', async (ctx) => {
    ctx.body = accountView(await readAccount(deps.db, ctx.state.member.id));
  });

  /** The defaults new requests inherit: `default_request_visibility`, `default_collection_name`. */
  router.patch('/', async (ctx) => {
    const raw = await readJsonBody(ctx, 64 * 1024);
    // An explicit null clears the default collection (validation reads a null as absent).
    const body = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { ...raw } : raw;
    const clearing = body !== raw && (body as Record<string, unknown>).default_collection_name === null;
    if (clearing) delete (body as Record<string, unknown>).default_collection_name;
    const patch =
      clearing && Object.keys(body as object).length === 0 ? {} : validate<AccountDefaults>('AccountPatch', body);
    const name = clearing ? null : patch.default_collection_name;
    const updated = await updateAccountDefaults(deps.db, ctx.state.member.id, {
      ...(patch.default_request_visibility !== undefined && {
        default_request_visibility: patch.default_request_visibility,
      }),
      ...(name !== undefined && { default_collection_name: name === null ? null : name.trim() }),
    });
    if (!updated) throw new ApiError(ErrorType.NotAuthenticated, 'Invalid API key.');
    // The member as the authentication cache holds it carries the defaults: it must see these now.
    forgetMember(ctx.state.member.id);
    ctx.body = accountView(updated);
  });

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

function accountView(member: Member | undefined) {
  if (!member) throw new ApiError(ErrorType.NotAuthenticated, 'Invalid API key.');
  return {
    name: member.name,
    default_request_visibility: member.default_request_visibility,
    default_collection_name: member.default_collection_name,
  };
}

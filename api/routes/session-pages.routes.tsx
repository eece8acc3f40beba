import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { findMemberByApiKey } from '../../db/repositories/member.repository';
import { createSession, deleteSession, findSession } from '../../db/repositories/session.repository';
import type { ApiDeps } from '../deps';
import { checkCsrf, clearedSessionCookie, sameToken, secureCookies, sessionCookie, sessionToken } from '../http/auth';
import { readForm } from '../http/read-form';
import { ApiError } from '../http/api-error';
import { ErrorType } from '../../workflows/errors';
import { sendPage } from '../pages/render';
import { HomePage, SignInPage } from '../pages/signin';

/** The sign-in form's CSRF cookie (double submit: there is no session yet to hold the token). */
const SIGNIN_CSRF_COOKIE = 'ic_signin_csrf';

/** Where to go after signing in: a path of this site only (never another origin). */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/dashboard';
}

/**
 * Signing in and out, and the home page. These routes authenticate themselves: sign-in takes an
 * API key from a form (protected by a double-submit CSRF token against signing a browser into
 * someone else's account), sign-out needs the session's own CSRF token.
 */
export function sessionPagesRoutes(deps: Pick<ApiDeps, 'db' | 'config'>): Router {
  const router = new Router();
  const { db, config } = deps;

  const signInForm = async (ctx: Context, next: string, error?: string, status = 200) => {
    const csrf = randomBytes(24).toString('base64url');
    ctx.append(
      'set-cookie',
      [
        `${SIGNIN_CSRF_COOKIE}=${csrf}`,
        'Path=/signin',
        'Max-Age=3600',
        'HttpOnly',
        'SameSite=Strict',
        ...(secureCookies(config) ? ['Secure'] : []),
      ].join('; '),
    );
    await sendPage(ctx, <SignInPage csrf={csrf} next={next} error={error} />, status);
  };

  router.get('/', async (ctx) => {
    const token = sessionToken(ctx);
    const session = token ? await findSession(db, token) : undefined;
    await sendPage(ctx, <HomePage member={session?.member} csrf={session?.csrfToken} />);
  });

  router.get('/signin', async (ctx) => {
    const token = sessionToken(ctx);
    const next = safeNext(ctx.query.next);
    if (token && (await findSession(db, token))) {
      ctx.status = 303;
      ctx.redirect(next);
      return;
    }
    await signInForm(ctx, next);
  });

  router.post('/signin', async (ctx) => {
    const form = await readForm(ctx);
    const expected = ctx.cookies.get(SIGNIN_CSRF_COOKIE);
    if (!expected || !form._csrf || !sameToken(form._csrf, expected)) {
      throw new ApiError(
        ErrorType.PermissionDenied,
        'The sign-in form has expired or was not sent from this site; reload it.',
        {
          code: form._csrf ? 'csrf_token_invalid' : 'csrf_token_missing',
        },
      );
    }
    const next = safeNext(form.next);
    const key = (form.key ?? '').trim();
    const member = key ? await findMemberByApiKey(db, key) : undefined;
    if (!member) {
      await signInForm(ctx, next, 'That key is not valid (or was revoked).', 401);
      return;
    }
    const session = await createSession(db, member.id);
    ctx.append('set-cookie', sessionCookie(config, session.token, session.expiresAt));
    ctx.append('set-cookie', `${SIGNIN_CSRF_COOKIE}=; Path=/signin; Max-Age=0; HttpOnly; SameSite=Strict`);
    ctx.set('cache-control', 'no-store');
    ctx.status = 303;
    ctx.redirect(next);
  });

  router.post('/signout', async (ctx) => {
    const token = sessionToken(ctx);
    const session = token ? await findSession(db, token) : undefined;
    if (token && session) {
      await checkCsrf(ctx, session.csrfToken);
      await deleteSession(db, token);
    }
    ctx.append('set-cookie', clearedSessionCookie(config));
    ctx.set('cache-control', 'no-store');
    ctx.status = 303;
    ctx.redirect('/signin');
  });

  return router;
}

import { timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Config } from '../../config/config';
import type { Db } from '../../db/database';
import { findMemberByApiKey } from '../../db/repositories/member.repository';
import { findSession } from '../../db/repositories/session.repository';
import type { Member } from '../../db/tables/member.table';
import type { Viewer } from '../../domain/visibility';
import { ErrorType } from '../../workflows/errors';
import { ApiError } from './api-error';
import { isFormBody, readForm } from './read-form';

/** What an authenticated route sees: the member, and how they signed in. */
export interface AuthState {
  member: Member;
  /** Present when the member came with a session cookie (not a key): the token their forms carry. */
  session?: { csrfToken: string };
}

/** What a page open to everyone sees: the member when valid credentials came along. */
export interface ViewerState {
  member?: Member;
  session?: { csrfToken: string };
}

const CACHE_MS = 5000;
/** The session cookie: `__Host-` (Secure, Path=/, no Domain) behind https, plain on http. */
export const SESSION_COOKIE = 'ic_session';
export const SECURE_SESSION_COOKIE = '__Host-ic_session';
/** Methods that change nothing: the only ones a cookie may make without the CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type Credentials =
  { via: 'bearer'; member: Member } | { via: 'session'; member: Member; csrfToken: string } | { via: 'none' };

/** Every key cache of this process, so a member's change (their defaults) can reach them all. */
type KeyCache = Map<string, { member: Member; until: number }>;
const keyCaches = new Set<KeyCache>();

/** Drops a member from the key caches: the next request reads them (and their account defaults) anew. */
export function forgetMember(memberId: string): void {
  for (const cache of keyCaches) {
    for (const [key, hit] of cache) if (hit.member.id === memberId) cache.delete(key);
  }
}

/** Looks a bearer key up, remembering it for a few seconds: a revoked key stops within CACHE_MS. */
function keyLookup(db: Db) {
  const cache: KeyCache = new Map();
  keyCaches.add(cache);
  return async (key: string): Promise<Member | undefined> => {
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.until >= now) return hit.member;
    const member = await findMemberByApiKey(db, key);
    if (!member) {
      cache.delete(key);
      return undefined;
    }
    if (cache.size > 10000) cache.clear();
    cache.set(key, { member, until: now + CACHE_MS });
    return member;
  };
}

/** The session cookie's token, under either name. */
export function sessionToken(ctx: Context): string | undefined {
  return ctx.cookies.get(SECURE_SESSION_COOKIE) ?? ctx.cookies.get(SESSION_COOKIE) ?? undefined;
}

/**
 * Who the request comes from. An `Authorization` header decides alone (a bad one is a 401, never
 * silently anonymous); without one, a session cookie when `cookies` allows it. A cookie that opens
 * no session (expired, signed out) is no credential at all.
 */
async function credentials(
  ctx: Context,
  db: Db,
  lookup: (key: string) => Promise<Member | undefined>,
  cookies: boolean,
): Promise<Credentials> {
  const header = ctx.get('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(ErrorType.NotAuthenticated, 'Authentication credentials were not provided.');
    const member = await lookup(match[1]);
    if (!member) throw new ApiError(ErrorType.NotAuthenticated, 'Invalid API key.');
    return { via: 'bearer', member };
  }
  const token = cookies ? sessionToken(ctx) : undefined;
  if (token) {
    const session = await findSession(db, token);
    if (session) return { via: 'session', member: session.member, csrfToken: session.csrfToken };
  }
  return { via: 'none' };
}

/**
 * A cookie-authenticated request that changes something must carry the session's CSRF token, in
 * the `x-csrf-token` header (scripts) or the `_csrf` field of a form. Another site can make the
 * browser send the cookie, but cannot read the token. Bearer requests need none: no browser
 * attaches a key by itself.
 */
export async function checkCsrf(ctx: Context, csrfToken: string): Promise<void> {
  if (SAFE_METHODS.has(ctx.method)) return;
  let sent: string | undefined = ctx.get('x-csrf-token') || undefined;
  if (sent === undefined && isFormBody(ctx)) sent = (await readForm(ctx))._csrf;
  if (!sent || !sameToken(sent, csrfToken)) {
    throw new ApiError(
      ErrorType.PermissionDenied,
      sent
        ? 'The CSRF token does not match this session; reload the page and try again.'
        : 'A signed-in browser request that changes something must carry the CSRF token (`x-csrf-token` or the `_csrf` form field).',
      { code: sent ? 'csrf_token_invalid' : 'csrf_token_missing' },
    );
  }
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function admit(ctx: Context, found: Credentials): void {
  if (found.via === 'none') return;
  ctx.state.member = found.member;
  if (found.via === 'session') ctx.state.session = { csrfToken: found.csrfToken };
}

/** The member API: a bearer key or a signed-in session cookie (with CSRF on unsafe methods); else 401. */
export function requireMember(db: Db): Middleware<AuthState> {
  const lookup = keyLookup(db);
  return async (ctx, next) => {
    const found = await credentials(ctx, db, lookup, true);
    if (found.via === 'none') {
      throw new ApiError(ErrorType.NotAuthenticated, 'Authentication credentials were not provided.');
    }
    if (found.via === 'session') await checkCsrf(ctx, found.csrfToken);
    admit(ctx, found);
    await next();
  };
}

/** The agent API: a bearer key only (agents are programs; a browser's cookie opens nothing here). */
export function bearerMember(db: Db): Middleware<AuthState> {
  const lookup = keyLookup(db);
  return async (ctx, next) => {
    const found = await credentials(ctx, db, lookup, false);
    if (found.via === 'none') {
      throw new ApiError(ErrorType.NotAuthenticated, 'Authentication credentials were not provided.');
    }
    admit(ctx, found);
    await next();
  };
}

/**
 * Public and share-token pages, and assets: anyone may come; `ctx.state.member` is set when valid
 * credentials came along. An invalid key is still a 401 (a client that sent one wants to know).
 */
export function optionalViewer(db: Db): Middleware<ViewerState> {
  const lookup = keyLookup(db);
  return async (ctx, next) => {
    const found = await credentials(ctx, db, lookup, true);
    if (found.via === 'session') await checkCsrf(ctx, found.csrfToken);
    admit(ctx, found);
    await next();
  };
}

/**
 * Signed-in pages: like `requireMember`, but a browser without a session is sent to the sign-in
 * page (303, back here afterwards) instead of getting a 401.
 */
export function signedInPage(db: Db): Middleware<AuthState> {
  const lookup = keyLookup(db);
  return async (ctx, next) => {
    const found = await credentials(ctx, db, lookup, true);
    if (found.via === 'none') {
      if (!SAFE_METHODS.has(ctx.method)) {
        throw new ApiError(ErrorType.NotAuthenticated, 'Your session has ended; sign in again.');
      }
      ctx.status = 303;
      ctx.redirect(`/signin?next=${encodeURIComponent(ctx.originalUrl)}`);
      return;
    }
    if (found.via === 'session') await checkCsrf(ctx, found.csrfToken);
    admit(ctx, found);
    await next();
  };
}

/** The viewer of the visibility rule: the signed-in member, or anonymous. */
export function viewerOf(ctx: { state: { member?: Member } }): Viewer {
  return ctx.state.member ? { memberId: ctx.state.member.id } : null;
}

/** Whether cookies must be Secure: the platform is served over https. */
export const secureCookies = (config: Pick<Config, 'api'>) => config.api.publicBaseUrl.startsWith('https:');

/** `Set-Cookie` for a new session: HttpOnly, SameSite=Lax, Path=/, Secure behind https, bounded life. */
export function sessionCookie(config: Pick<Config, 'api'>, token: string, expiresAt: Date): string {
  const secure = secureCookies(config);
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  return [
    `${secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE}=${token}`,
    'Path=/',
    `Max-Age=${maxAge}`,
    `Expires=${expiresAt.toUTCString()}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** `Set-Cookie` that deletes the session cookie (on sign-out). */
export function clearedSessionCookie(config: Pick<Config, 'api'>): string {
  const secure = secureCookies(config);
  return [
    `${secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE}=`,
    'Path=/',
    'Max-Age=0',
    'Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

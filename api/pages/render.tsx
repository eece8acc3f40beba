import type { Context } from 'koa';
import type { Child } from 'hono/jsx';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { Member } from '../../db/tables/member.table';
import { SITE_CSS_PATH } from './styles';

/** Pages run no inline script and load nothing from elsewhere; only our own scripts, styles and media. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The headers every page carries: its CSP, no sniffing, never framed, a referrer kept to our origin. */
export function securityHeaders(ctx: Context, csp = PAGE_CSP): void {
  ctx.set('content-security-policy', csp);
  ctx.set('x-content-type-options', 'nosniff');
  ctx.set('x-frame-options', 'DENY');
  ctx.set('referrer-policy', 'strict-origin-when-cross-origin');
  ctx.set('cross-origin-opener-policy', 'same-origin');
}

/**
 * Answers with a rendered page. hono/jsx escapes every text and attribute value, so whatever a
 * member typed (a prompt, a collection name) is shown as text, never run.
 */
export async function sendPage(ctx: Context, page: JSX.Element, status = 200): Promise<void> {
  securityHeaders(ctx);
  // Signed-in pages show private data; shared pages change with their visibility: never cached by others.
  ctx.set('cache-control', 'private, no-store');
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = `<!doctype html>${String(await page)}`;
}

export interface LayoutProps {
  title: string;
  /** The signed-in member, for the navigation; absent on a page seen anonymously. */
  member?: Member;
  /** The session's CSRF token, for the sign-out form (absent for a key-authenticated request). */
  csrf?: string;
  /** The current path, to mark its navigation link. */
  path?: string;
  head?: Child;
  scripts?: string[];
  children: Child;
}

const NAV: [string, string][] = [
  ['/dashboard', 'History'],
  ['/dashboard/collections', 'Collections'],
  ['/dashboard/jobs', 'Jobs'],
  ['/dashboard/batches', 'Batches'],
  ['/dashboard/runs', 'Runs'],
  ['/approvals', 'Approvals'],
  ['/dashboard/keys', 'API keys'],
  ['/dashboard/settings', 'Settings'],
  ['/docs/api/', 'API explorer'],
];

export function Layout({ title, member, csrf, path, head, scripts = [], children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · inference.club`}</title>
        <link rel="stylesheet" href={SITE_CSS_PATH} />
        {head}
      </head>
      <body>
        <header class="top">
          <a class="brand" href={member ? '/dashboard' : '/'}>
            inference.club
          </a>
          <nav aria-label="Main">
            {member ? (
              NAV.map(([href, label]) => (
                <a href={href} aria-current={path === href ? 'page' : undefined}>
                  {label}
                </a>
              ))
            ) : (
              <a href="/docs/api/">API explorer</a>
            )}
          </nav>
          {member ? (
            <form class="inline" method="post" action="/signout">
              <a href={`/u/${encodeURIComponent(member.name)}`}>{member.name}</a>
              {csrf && <input type="hidden" name="_csrf" value={csrf} />}
              <button class="secondary" type="submit">
                Sign out
              </button>
            </form>
          ) : (
            <a href="/signin">Sign in</a>
          )}
        </header>
        <main>{children}</main>
        <footer>inference.club: members&apos; GPUs behind one OpenAI-compatible API</footer>
        {scripts.map((src) => (
          <script src={src} defer />
        ))}
      </body>
    </html>
  );
}

/** The hidden CSRF field every form of a signed-in page carries. */
export function Csrf({ token }: { token?: string }) {
  return token ? <input type="hidden" name="_csrf" value={token} /> : null;
}

/** A 404 page: what a viewer who may not see something gets, exactly as for something that is not there. */
export function NotFoundPage({ member, csrf }: { member?: Member; csrf?: string }) {
  return (
    <Layout title="Not found" member={member} csrf={csrf}>
      <h1>Not found</h1>
      <p class="muted">There is nothing here, or it is not shared with you.</p>
    </Layout>
  );
}

export const when = (seconds: number | null | undefined) =>
  seconds ? new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—';

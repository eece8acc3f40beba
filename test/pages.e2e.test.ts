import { loadConfig } from '../config/config';
import { clearedSessionCookie, sessionCookie } from '../api/http/auth';
import { TestStack, type TestMember } from './support/test-stack';

/**
 * The web pages without a browser: sign-in and its cookie, CSRF on forms and on cookie-authenticated
 * API calls, security headers, sign-out, the agent API refusing cookies, and escaping.
 */
let stack: TestStack;
let alice: TestMember;

beforeAll(async () => {
  stack = await TestStack.start();
  alice = await stack.member('alice');
  await stack.agent(alice);
});
afterAll(() => stack.stop());

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${stack.url}${path}`, { headers, redirect: 'manual' });
const postForm = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });

/** The `name=value` of each Set-Cookie, and each cookie's attributes. */
function cookies(res: Response): Map<string, { value: string; attrs: string[] }> {
  const out = new Map<string, { value: string; attrs: string[] }>();
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const at = pair.indexOf('=');
    out.set(pair.slice(0, at), { value: pair.slice(at + 1), attrs });
  }
  return out;
}

const hiddenCsrf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

interface Session {
  cookie: string;
  csrf: string;
  token: string;
  res: Response;
}

async function signIn(key: string): Promise<Session> {
  const form = await get('/signin');
  const loginCsrf = cookies(form).get('ic_signin_csrf')?.value as string;
  const csrf = hiddenCsrf(await form.text()) as string;
  const res = await postForm(
    '/signin',
    { _csrf: csrf, key, next: '/dashboard' },
    { cookie: `ic_signin_csrf=${loginCsrf}` },
  );
  const token = cookies(res).get('ic_session')?.value as string;
  const cookie = `ic_session=${token}`;
  const page = await (await get('/dashboard', { cookie })).text();
  return { cookie, token, csrf: hiddenCsrf(page) as string, res };
}

describe('sign-in', () => {
  test('the form sets a login CSRF cookie; a wrong key is a 401 page; the right one a session cookie', async () => {
    const form = await get('/signin');
    expect(form.status).toBe(200);
    expect(form.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await form.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(hiddenCsrf(html)).toBeTruthy();
    const login = cookies(form).get('ic_signin_csrf');
    expect(login?.attrs).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict']));

    const cookie = `ic_signin_csrf=${login?.value}`;
    const missing = await postForm('/signin', { key: alice.key }, { cookie });
    expect(missing.status).toBe(403);
    expect(await missing.json()).toEqual({
      error: { type: 'permission_denied', code: 'csrf_token_missing', message: expect.any(String), param: null },
    });
    const forged = await postForm('/signin', { key: alice.key, _csrf: 'x'.repeat(32) }, { cookie });
    expect(forged.status).toBe(403);

    const wrong = await postForm('/signin', { key: 'ic_nope', _csrf: hiddenCsrf(html) as string }, { cookie });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('That key is not valid');
    expect(cookies(wrong).has('ic_session')).toBe(false);

    const { res, token } = await signIn(alice.key);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard');
    const session = cookies(res).get('ic_session');
    // 32 random bytes, base64url: 256 bits.
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session?.attrs).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Lax']));
    expect(session?.attrs).not.toContain('Secure');
    const maxAge = Number(session?.attrs.find((a) => a.startsWith('Max-Age='))?.slice(8));
    expect(maxAge).toBeGreaterThan(29 * 86400);
    expect(maxAge).toBeLessThanOrEqual(30 * 86400);
    // Only the token's hash is stored.
    const rows = await stack.db.selectFrom('sessions').select('id_hash').where('member_id', '=', alice.id).execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.id_hash)).not.toContain(token);
  });

  test('behind https the cookie is Secure and __Host- prefixed; sign-out deletes it the same way', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
      S3_ENDPOINT: 'http://127.0.0.1:9',
      S3_ACCESS_KEY: 'unused',
      S3_SECRET_KEY: 'unused',
      GATEWAY_SECRET: 'unused-by-this-test',
      PUBLIC_BASE_URL: 'https://api.example.test',
    });
    const set = sessionCookie(config, 'tok', new Date(Date.now() + 3600_000));
    expect(set).toMatch(
      /^__Host-ic_session=tok; Path=\/; Max-Age=(3599|3600); Expires=.*; HttpOnly; SameSite=Lax; Secure$/,
    );
    expect(clearedSessionCookie(config)).toMatch(/^__Host-ic_session=; Path=\/; Max-Age=0; .*Secure$/);
  });

  test('a page for signed-in members sends a browser without a session to sign in, and back', async () => {
    const res = await get('/dashboard/jobs?status=QUEUED');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/signin?next=%2Fdashboard%2Fjobs%3Fstatus%3DQUEUED');
    const bogus = await get('/dashboard', { cookie: 'ic_session=not-a-session' });
    expect(bogus.status).toBe(303);
    // A key works on pages as on the API.
    const byKey = await get('/dashboard', { authorization: `Bearer ${alice.key}` });
    expect(byKey.status).toBe(200);
    expect((await get('/dashboard', { authorization: 'Bearer ic_wrong' })).status).toBe(401);
    // Pages open to everyone still refuse a bad key: a client that sent one wants to know.
    expect((await get('/u/anyone', { authorization: 'Bearer ic_wrong' })).status).toBe(401);
    expect((await get('/u/anyone', { cookie: 'ic_session=not-a-session' })).status).toBe(404);
  });
});

describe('security headers', () => {
  test.each(['/signin', '/', '/dashboard', '/s/nothing-here'])('%s', async (path) => {
    const res = await get(path, { authorization: `Bearer ${alice.key}` });
    expect(res.status).toBe(path.startsWith('/s/') ? 404 : 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  });

  test('the API explorer has its own CSP, self only, and its files come from the API', async () => {
    const page = await get('/docs/api/');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:/);
    const html = await page.text();
    expect(html).not.toMatch(/<script>(?!<)/);
    for (const src of [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1])) {
      expect({ src, status: (await get(src)).status }).toEqual({ src, status: 200 });
    }
    expect((await get('/docs/api/package.json')).status).toBe(404);
  });
});

describe('CSRF', () => {
  test('a form without the session token is a 403 envelope; with it, it works', async () => {
    const { cookie, csrf } = await signIn(alice.key);
    expect(csrf).toBeTruthy();
    const missing = await postForm('/dashboard/keys', {}, { cookie });
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ error: { type: 'permission_denied', code: 'csrf_token_missing' } });
    const wrong = await postForm('/dashboard/keys', { _csrf: `${csrf.slice(1)}x` }, { cookie });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ error: { code: 'csrf_token_invalid' } });
    // Another session's token is no good either.
    const other = await signIn(alice.key);
    expect((await postForm('/dashboard/keys', { _csrf: other.csrf }, { cookie })).status).toBe(403);

    const created = await postForm('/dashboard/keys', { _csrf: csrf }, { cookie });
    expect(created.status).toBe(201);
    const key = /id="new-key">([^<]+)</.exec(await created.text())?.[1] as string;
    expect(key).toMatch(/^ic_/);
    expect((await fetch(`${stack.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    // Shown once: the list shows its prefix only.
    expect(await (await get('/dashboard/keys', { cookie })).text()).not.toContain(key);
  });

  test('a cookie opens the member API; its unsafe calls need x-csrf-token, a key needs none', async () => {
    const { cookie, csrf } = await signIn(alice.key);
    expect((await get('/v1/models', { cookie })).status).toBe(200);
    const patch = (headers: Record<string, string>) =>
      fetch(`${stack.url}/api/account/`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ default_request_visibility: 'PRIVATE' }),
      });
    const refused = await patch({ cookie });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { type: 'permission_denied', code: 'csrf_token_missing' } });
    expect((await patch({ cookie, 'x-csrf-token': csrf })).status).toBe(200);
    expect((await patch({ authorization: `Bearer ${alice.key}` })).status).toBe(200);
    // The agent API takes keys only.
    const agent = await fetch(`${stack.url}/api/inference/agent/heartbeat/`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', shared: false, concurrency: 1, models: [] }),
    });
    expect(agent.status).toBe(401);
  });

  test('settings are saved through the form', async () => {
    const { cookie, csrf } = await signIn(alice.key);
    const res = await postForm(
      '/dashboard/settings',
      { _csrf: csrf, default_request_visibility: 'SECRET', default_collection_name: 'Sketches' },
      { cookie },
    );
    expect(res.status).toBe(303);
    const account = await (await fetch(`${stack.url}/api/account/`, { headers: { cookie } })).json();
    expect(account).toMatchObject({ default_request_visibility: 'SECRET', default_collection_name: 'Sketches' });
    const bad = await postForm(
      '/dashboard/settings',
      { _csrf: csrf, default_request_visibility: 'EVERYONE' },
      { cookie },
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: 'default_request_visibility' } });
    await postForm('/dashboard/settings', { _csrf: csrf, default_request_visibility: 'UNLISTED' }, { cookie });
  });
});

test('sign-out deletes the session and the cookie', async () => {
  const { cookie, csrf, token } = await signIn(alice.key);
  expect((await postForm('/signout', {}, { cookie })).status).toBe(403);
  const out = await postForm('/signout', { _csrf: csrf }, { cookie });
  expect(out.status).toBe(303);
  expect(out.headers.get('location')).toBe('/signin');
  const cleared = cookies(out).get('ic_session');
  expect(cleared?.value).toBe('');
  expect(cleared?.attrs).toContain('Max-Age=0');
  expect((await get('/dashboard', { cookie })).status).toBe(303);
  expect((await get('/v1/models', { cookie })).status).toBe(401);
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256').update(token).digest('hex');
  expect(
    await stack.db.selectFrom('sessions').selectAll().where('id_hash', '=', hash).executeTakeFirst(),
  ).toBeUndefined();
});

test('what members typed is shown as text, never run', async () => {
  const prompt = '<script>alert("x")</script><img src=x onerror=alert(1)>';
  await alice.openai.chat.completions.create({
    model: 'demo-chat',
    messages: [{ role: 'user', content: prompt }],
    visibility: 'PUBLIC',
  } as never);
  const list = (await (
    await fetch(`${stack.url}/api/inference/requests/?kind=chat&limit=1`, {
      headers: { authorization: `Bearer ${alice.key}` },
    })
  ).json()) as { data: { share_url: string }[] };
  const entry = list.data[0];
  const page = await get(new URL(entry.share_url).pathname);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  expect(html).not.toContain('<script>alert');
  expect(html).not.toContain('<img src=x');
});

describe('approvals page', () => {
  test("a gate's listed approver sees it there and decides it with the page's form; others do not see it", async () => {
    const bob = await stack.member('bob');
    const carol = await stack.member('carol');
    const created = await fetch(`${stack.url}/v1/workflows/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        spec: {
          steps: [
            {
              id: 'draft',
              kind: 'inference',
              type: 'chat',
              body: { messages: [{ role: 'user', content: 'a slogan' }] },
            },
            {
              id: 'review',
              kind: 'gate',
              title: 'Review the slogan',
              show: '{{steps.draft.output}}',
              approvers: [bob.name],
            },
          ],
        },
      }),
    });
    const { id } = (await created.json()) as { id: string };
    for (let i = 0; i < 20; i++) {
      const run = (await (
        await fetch(`${stack.url}/v1/workflows/runs/${id}?wait=5`, {
          headers: { authorization: `Bearer ${alice.key}` },
        })
      ).json()) as { status: string };
      if (run.status !== 'RUNNING') break;
    }
    const asBob = await signIn(bob.key);
    const page = await (await get('/approvals', { cookie: asBob.cookie })).text();
    expect(page).toContain(`data-gate="${id}/review"`);
    expect(page).toContain('Review the slogan');
    expect(page).toContain('you are an approver');
    const asCarol = await signIn(carol.key);
    expect(await (await get('/approvals', { cookie: asCarol.cookie })).text()).not.toContain(id);
    // Another member's decision is the API's 404, whatever the page sends.
    expect(
      (await postForm(`/approvals/${id}/review/reject`, { _csrf: asCarol.csrf }, { cookie: asCarol.cookie })).status,
    ).toBe(404);
    // A value that is not JSON is a 400 naming it; nothing is decided.
    const bad = await postForm(
      `/approvals/${id}/review/approve`,
      { _csrf: asBob.csrf, value: '{oops' },
      { cookie: asBob.cookie },
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: 'value' } });

    const rejected = await postForm(
      `/approvals/${id}/review/reject`,
      { _csrf: asBob.csrf, reason: 'off brand' },
      { cookie: asBob.cookie },
    );
    expect(rejected.status).toBe(303);
    expect(rejected.headers.get('location')).toBe(`/dashboard/runs/${id}`);
    const run = (await (
      await fetch(`${stack.url}/v1/workflows/runs/${id}`, { headers: { authorization: `Bearer ${alice.key}` } })
    ).json()) as {
      status: string;
      steps: { step_id: string; gate?: { decision: string; decided_by: string; reason: string } }[];
    };
    expect(run.status).toBe('CANCELED');
    expect(run.steps.find((s) => s.step_id === 'review')?.gate).toMatchObject({
      decision: 'rejected',
      decided_by: bob.name,
      reason: 'off brand',
    });
    // Deciding again is the API's 409.
    const again = await postForm(`/approvals/${id}/review/approve`, { _csrf: asBob.csrf }, { cookie: asBob.cookie });
    expect(again.status).toBe(409);
  });
});

describe('collections pages', () => {
  test('create, reorder and change visibility through the forms', async () => {
    const { cookie, csrf } = await signIn(alice.key);
    for (const prompt of ['first', 'second', 'third']) {
      await alice.openai.images.generate({ model: 'demo-image', prompt, collection: 'Forms' } as never);
    }
    // Get-or-create by name, case-insensitively: the existing collection.
    const created = await postForm(
      '/dashboard/collections',
      { _csrf: csrf, name: 'forms', visibility: 'PUBLIC' },
      { cookie },
    );
    expect(created.status).toBe(303);
    const editPath = created.headers.get('location') as string;
    const order = async () =>
      [...(await (await get(editPath, { cookie })).text()).matchAll(/<li data-request="([0-9a-f]{32})"/g)].map(
        (m) => m[1],
      );
    const before = await order();
    expect(before).toHaveLength(3);
    const moved = await postForm(`${editPath}/order`, { _csrf: csrf, request_id: before[2], move: 'up' }, { cookie });
    expect(moved.status).toBe(303);
    expect(await order()).toEqual([before[0], before[2], before[1]]);
    const renamed = await postForm(editPath, { _csrf: csrf, name: 'Forms renamed', visibility: 'SECRET' }, { cookie });
    expect(renamed.status).toBe(303);
    const id = editPath.split('/').at(-1) as string;
    const api = (await (
      await fetch(`${stack.url}/api/inference/collections/${id}/`, {
        headers: { authorization: `Bearer ${alice.key}` },
      })
    ).json()) as { name: string; visibility: string; items: { id: string }[] };
    expect(api).toMatchObject({ name: 'Forms renamed', visibility: 'SECRET' });
    expect(api.items.map((i) => i.id)).toEqual([before[0], before[2], before[1]]);
    const removed = await postForm(`${editPath}/remove`, { _csrf: csrf, request_id: before[0] }, { cookie });
    expect(removed.status).toBe(303);
    expect(await order()).toEqual([before[2], before[1]]);
    const bad = await postForm(editPath, { _csrf: csrf, visibility: 'WORLD' }, { cookie });
    expect(bad.status).toBe(400);
  });
});

test("the history page sets a request's visibility, and its filters narrow the list", async () => {
  const { cookie, csrf } = await signIn(alice.key);
  await alice.openai.images.generate({ model: 'demo-image', prompt: 'a quiet harbour' });
  const list = (await (
    await fetch(`${stack.url}/api/inference/requests/?kind=image&limit=1`, { headers: { cookie } })
  ).json()) as { data: { id: string; visibility: string; share_url: string }[] };
  const [entry] = list.data;
  const page = await (await get('/dashboard?kind=image', { cookie })).text();
  expect(page).toContain(`data-request="${entry.id}"`);
  expect(page).toContain('a quiet harbour');
  expect(page).not.toMatch(/data-request="[^"]+"[^]*<strong>chat<\/strong>/);
  const set = await postForm(
    `/dashboard/requests/${entry.id}/visibility`,
    { _csrf: csrf, visibility: 'SECRET', back: '/dashboard?kind=image' },
    { cookie },
  );
  expect(set.status).toBe(303);
  expect(set.headers.get('location')).toBe('/dashboard?kind=image');
  const after = (await (await get(`/api/inference/requests/${entry.id}/`, { cookie })).json()) as {
    visibility: string;
  };
  expect(after.visibility).toBe('SECRET');
  // Now its link opens for its owner only.
  const link = new URL(entry.share_url).pathname;
  expect((await get(link, { cookie })).status).toBe(200);
  expect((await get(link)).status).toBe(404);
  // Someone else's request is a 404, and an outside `back` is not followed.
  const bob = await stack.member('bob');
  const asBob = await signIn(bob.key);
  const foreign = await postForm(
    `/dashboard/requests/${entry.id}/visibility`,
    { _csrf: asBob.csrf, visibility: 'PUBLIC' },
    { cookie: asBob.cookie },
  );
  expect(foreign.status).toBe(404);
  const offsite = await postForm(
    `/dashboard/requests/${entry.id}/visibility`,
    { _csrf: csrf, visibility: 'UNLISTED', back: '//evil.example/' },
    { cookie },
  );
  expect(offsite.headers.get('location')).toBe('/dashboard');
});

test('the history page deletes a finished request of yours, with its assets; nobody else can', async () => {
  const { cookie, csrf } = await signIn(alice.key);
  const made = await alice.openai.images.generate({ model: 'demo-image', prompt: 'to be deleted' }).withResponse();
  const id = made.response.headers.get('x-request-id') as string;
  const entry = async () => get(`/api/inference/requests/${id}/`, { cookie });
  let found = (await (await entry()).json()) as { status: string; output: { assets: { url: string }[] } };
  for (let i = 0; i < 100 && found.status !== 'PROCESSED'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    found = (await (await entry()).json()) as typeof found;
  }
  const asset = new URL(found.output.assets[0].url).pathname;
  expect((await get(asset, { cookie })).status).toBe(200);
  expect((await get('/dashboard?kind=image', { cookie })).status).toBe(200);
  const bob = await stack.member('bob');
  const asBob = await signIn(bob.key);
  const foreign = await postForm(`/dashboard/requests/${id}/delete`, { _csrf: asBob.csrf }, { cookie: asBob.cookie });
  expect(foreign.status).toBe(404);
  const noToken = await postForm(`/dashboard/requests/${id}/delete`, {}, { cookie });
  expect(noToken.status).toBe(403);
  const deleted = await postForm(`/dashboard/requests/${id}/delete`, { _csrf: csrf, back: '/dashboard' }, { cookie });
  expect(deleted.status).toBe(303);
  expect((await entry()).status).toBe(404);
  expect((await get(asset, { cookie })).status).toBe(404);
});

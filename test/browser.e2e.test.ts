import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { TestStack, type TestMember } from './support/test-stack';

/**
 * The pages in a real browser: Debian's Chromium (installed by scripts/setup.sh) driven by
 * playwright-core; nothing is downloaded. Sign-in, the dashboard on real data, a gate approved
 * with an edited value by clicking, the share pages' players loading their media, and the API
 * explorer's Authorize → Try it out. Screenshots land in .data/test-artifacts/browser/.
 */
const ARTIFACTS = path.join(__dirname, '..', '.data', 'test-artifacts', 'browser');
const CHROMIUM = '/usr/bin/chromium';

let stack: TestStack;
let alice: TestMember;
let context: BrowserContext;
let page: Page;
let profileDir: string;
const cspViolations: string[] = [];
let runId: string;

const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
  const res = await fetch(`${stack.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${alice.key}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return (res.headers.get('content-type') ?? '').includes('json') ? ((await res.json()) as T) : (undefined as T);
};

interface Entry {
  id: string;
  kind: string;
  share_url: string;
  collections: { id: string; name: string }[];
}
const newest = async (kind: string) =>
  (await api<{ data: Entry[] }>('GET', `/api/inference/requests/?kind=${kind}&limit=1`)).data[0];

/** What the checks read of media elements in the page (the test compiles without the DOM's types). */
type MediaElement = { readyState: number; naturalWidth: number; videoWidth: number; complete: boolean };

/**
 * Waits until the page has elements matching `selector` and each is loaded: an image decoded, a
 * player with its media's metadata. (A function, not a string: the pages' CSP forbids eval.)
 */
const allLoaded = (selector: string, what: 'image' | 'media') =>
  page.waitForFunction(
    ([sel, kind]) => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<MediaElement> } })
        .document;
      const all = Array.from(doc.querySelectorAll(sel));
      return (
        all.length > 0 && all.every((e) => (kind === 'image' ? e.complete && e.naturalWidth > 0 : e.readyState >= 1))
      );
    },
    [selector, what] as const,
    { timeout: 15_000 },
  );

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stack = await TestStack.start();
  alice = await stack.member('alice');
  await stack.agent(alice, { concurrency: 6 });
  // A run that stops at its gate, started first so it waits by the time the browser gets there.
  runId = (
    await api<{ id: string }>('POST', '/v1/workflows/runs', {
      template: 'illustrated-story',
      inputs: { topic: 'a lighthouse', scenes: 3, style: 'ink' },
    })
  ).id;
  // Real outputs: an image, two songs in a collection, a video, a chat.
  await Promise.all([
    api('POST', '/v1/images/generations', { model: 'demo-image', prompt: 'a red fox', visibility: 'PUBLIC' }),
    api('POST', '/v1/music/generations', { model: 'demo-music', prompt: 'night trains', collection: 'Album' }),
    api('POST', '/v1/videos/generations', { model: 'demo-video', prompt: 'a paper boat' }),
    api('POST', '/v1/chat/completions', { model: 'demo-chat', messages: [{ role: 'user', content: 'Say hello.' }] }),
    // An async job and a batch of two, for the jobs and batches pages.
    api('POST', '/v1/chat/completions', {
      model: 'demo-chat',
      messages: [{ role: 'user', content: 'Later.' }],
      async: true,
    }),
    api('POST', '/v1/batches', {
      requests: [0, 1].map((i) => ({
        custom_id: `item-${i}`,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: 'demo-chat', messages: [{ role: 'user', content: `Item ${i}` }] },
      })),
    }),
  ]);
  await api('POST', '/v1/music/generations', { model: 'demo-music', prompt: 'morning ferries', collection: 'Album' });

  profileDir = mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (msg) => {
    if (/Content.Security.Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  await stack?.stop();
});

test('signing in with a key opens the dashboard with real history', async () => {
  await page.goto(`${stack.url}/dashboard`);
  expect(new URL(page.url()).pathname).toBe('/signin');
  await page.fill('input[name="key"]', alice.key);
  await Promise.all([page.waitForURL(`${stack.url}/dashboard`), page.click('button[type="submit"]')]);
  await expect(page.locator('h1').textContent()).resolves.toBe('History');
  expect(await page.locator('tr[data-request]').count()).toBeGreaterThanOrEqual(5);
  await expect(
    page
      .locator('tr[data-request] img')
      .first()
      .evaluate((img) => (img as unknown as MediaElement).naturalWidth),
  ).resolves.toBeGreaterThan(0);
  await shot('dashboard-history');
  const cookie = (await context.cookies()).find((c) => c.name === 'ic_session');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
});

test('the dashboard pages render their data', async () => {
  for (const [route, heading, rows] of [
    ['/dashboard/collections', 'Collections', 'tr[data-collection]'],
    ['/dashboard/runs', 'Workflow runs', 'tr[data-run]'],
    ['/dashboard/jobs', 'Async jobs', 'tr[data-job]'],
    ['/dashboard/batches', 'Batches', 'tr[data-batch]'],
    ['/dashboard/keys', 'API keys', 'tr[data-key]'],
    ['/dashboard/settings', 'Settings', 'select[name="default_request_visibility"]'],
  ] as const) {
    await page.goto(`${stack.url}${route}`);
    expect(await page.locator('h1').first().textContent()).toContain(heading);
    expect(await page.locator(rows).count()).toBeGreaterThan(0);
    await shot(route.slice(1).replace(/\//g, '-'));
  }
  // Filters narrow the history.
  await page.goto(`${stack.url}/dashboard?kind=music`);
  expect(await page.locator('tr[data-request]').count()).toBe(2);
  expect(await page.locator('tr[data-request] audio').count()).toBe(2);
});

test('a gate is approved with an edited value in the browser, and the run finishes', async () => {
  for (let i = 0; i < 40; i++) {
    const run = await api<{ status: string }>('GET', `/v1/workflows/runs/${runId}?wait=5`);
    if (run.status !== 'RUNNING') break;
  }
  await page.goto(`${stack.url}/approvals`);
  const gate = page.locator(`section[data-gate="${runId}/approve"]`);
  await expect(gate.count()).resolves.toBe(1);
  const shown = JSON.parse((await gate.locator('textarea[name="value"]').inputValue()) as string) as string[];
  expect(shown).toHaveLength(3);
  await shot('approvals');
  const edited = [shown[0], 'A ship’s light answers from the fog.'];
  await gate.locator('textarea[name="value"]').fill(JSON.stringify(edited));
  await gate.locator('input[name="comment"]').fill('two scenes are enough');
  await Promise.all([
    page.waitForURL(`${stack.url}/dashboard/runs/${runId}`),
    gate.getByRole('button', { name: 'Approve' }).click(),
  ]);
  for (let i = 0; i < 40; i++) {
    const run = await api<{ status: string }>('GET', `/v1/workflows/runs/${runId}?wait=5`);
    if (run.status !== 'RUNNING') break;
  }
  await page.reload();
  await expect(page.locator('li[data-step="approve"]').textContent()).resolves.toContain('approved by');
  expect(await page.locator('li[data-step="illustrate"]').getAttribute('data-status')).toBe('DONE');
  expect(await page.locator('li[data-step="illustrate"] img').count()).toBe(2);
  await allLoaded('li[data-step="illustrate"] img', 'image');
  await shot('run-done');
  const run = await api<{ status: string; steps: { step_id: string; output: unknown }[] }>(
    'GET',
    `/v1/workflows/runs/${runId}`,
  );
  expect(run.status).toBe('DONE');
  expect(run.steps.find((s) => s.step_id === 'approve')?.output).toEqual(edited);
});

test("the share pages' image, players and playlist load their media", async () => {
  const image = await newest('image');
  await page.goto(image.share_url);
  await allLoaded('article img', 'image');
  expect(await page.locator('meta[property="og:image"]').getAttribute('content')).toMatch(
    /^http:\/\/.+\/api\/inference\/assets\//,
  );
  await shot('share-image');

  const song = await newest('music');
  await page.goto(song.share_url);
  await allLoaded('article audio', 'media');
  expect(await page.locator('meta[property="og:audio"]').count()).toBe(1);
  await shot('share-audio');

  const video = await newest('video');
  await page.goto(video.share_url);
  await allLoaded('article video', 'media');
  expect(await page.locator('video').evaluate((v) => (v as unknown as MediaElement).videoWidth)).toBeGreaterThan(0);
  expect(await page.locator('meta[property="og:video"]').count()).toBe(1);
  await shot('share-video');

  // The album: a playlist in playlist order, each player loading.
  const album = (
    await api<{ data: { name: string; share_url: string }[] }>('GET', '/api/inference/collections/')
  ).data.find((c) => c.name === 'Album');
  await page.goto(album!.share_url);
  expect(await page.locator('ol.playlist > li').count()).toBe(2);
  expect(await page.locator('ol.playlist > li strong').allTextContents()).toEqual(['night trains', 'morning ferries']);
  await allLoaded('ol.playlist audio', 'media');
  await shot('collection-playlist');

  // A logged-out visitor sees the public image, and the same 404 page for what is not theirs to see.
  await context.clearCookies();
  await page.goto(image.share_url);
  await allLoaded('article img', 'image');
  const profile = await page.goto(`${stack.url}/u/${alice.name}`);
  expect(profile?.status()).toBe(200);
  expect(await page.locator('figure[data-request] img').count()).toBe(1);
  await shot('profile');
  const missing = await page.goto(`${stack.url}/s/${'0'.repeat(48)}`);
  expect(missing?.status()).toBe(404);
});

test('the API explorer loads from the API and Try it out works after Authorize', async () => {
  await page.goto(`${stack.url}/docs/api/`);
  await page.waitForSelector('.swagger-ui .info .title');
  await page.click('button.authorize');
  await page.fill('.auth-container input[type="text"], .auth-container input[type="password"]', alice.key);
  await page.click('.auth-btn-wrapper button.authorize');
  await page.click('button.btn-done');
  const op = page
    .locator('#operations-Models-listModels, .opblock-get:has(.opblock-summary-path[data-path="/v1/models"])')
    .first();
  await op.locator('.opblock-summary').click();
  await op.getByRole('button', { name: 'Try it out' }).click();
  await op.getByRole('button', { name: 'Execute' }).click();
  const status = op.locator('.live-responses-table tr.response .response-col_status').first();
  await status.waitFor();
  expect((await status.textContent())?.trim()).toBe('200');
  expect(
    await op.locator('.live-responses-table tr.response .response-col_description').first().textContent(),
  ).toContain('demo-chat');
  await shot('api-explorer');
  expect(cspViolations).toEqual([]);
});

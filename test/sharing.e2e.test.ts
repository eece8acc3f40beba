import { TestStack, type TestMember } from './support/test-stack';
import type { HistoryEntry } from '../domain/history-view';
import type { CollectionView } from '../api/sharing/sharing-views';
import { VISIBILITIES, type Visibility } from '../domain/visibility';

/**
 * Sharing end to end: account defaults (the seed's curl body verbatim) and per-request overrides
 * reaching sync, async and run-step requests and never the provider; the history with inputs and
 * outputs; collections (case-insensitive get-or-create, playlist order, implicit creation and
 * inheritance, privacy item by item); and the full visibility matrix, generated from the rule as
 * the sharing documentation states it, across API, pages and assets.
 */
let stack: TestStack;
let owner: TestMember;
let other: TestMember;
let otherCookie: string;

beforeAll(async () => {
  stack = await TestStack.start({ demo: { keepReceived: 500 } });
  owner = await stack.member('owner');
  other = await stack.member('other');
  await stack.agent(owner, { concurrency: 8 });
  otherCookie = await signIn(other.key);
});
afterAll(async () => {
  await stack.stop();
});

type Viewer = 'anonymous' | 'member' | 'owner';

function credentials(viewer: Viewer, via: 'bearer' | 'cookie' = 'bearer'): Record<string, string> {
  if (viewer === 'anonymous') return {};
  if (viewer === 'member') return via === 'cookie' ? { cookie: otherCookie } : { authorization: `Bearer ${other.key}` };
  return { authorization: `Bearer ${owner.key}` };
}

async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${owner.key}`, 'content-type': 'application/json', ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : text) as T, headers: res.headers };
}

/** Signs in through the sign-in page's form, as a browser would; returns the session cookie. */
async function signIn(key: string): Promise<string> {
  const form = await fetch(`${stack.url}/signin`);
  const csrfCookie = form.headers.getSetCookie().map((c) => c.split(';')[0]);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!csrf) throw new Error('the sign-in form has no CSRF field');
  const res = await fetch(`${stack.url}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie.join('; ') },
    body: new URLSearchParams({ key, _csrf: csrf, next: '/' }).toString(),
  });
  expect(res.status).toBe(303);
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => !c.startsWith('ic_signin_csrf') && !c.endsWith('='));
  if (!session) throw new Error('no session cookie');
  return session;
}

async function history(query = ''): Promise<HistoryEntry[]> {
  const res = await call<{ data: HistoryEntry[] }>('GET', `/api/inference/requests/?limit=100${query}`);
  expect(res.status).toBe(200);
  return res.body.data;
}

async function entry(id: string): Promise<HistoryEntry> {
  const res = await call<HistoryEntry>('GET', `/api/inference/requests/${id}/`);
  expect(res.status).toBe(200);
  return res.body;
}

/** Starts a run of one chat step whose body gets `extra` (platform fields, say). */
function oneStepRun(content: string, extra: Record<string, unknown> = {}) {
  return call<{ id: string }>('POST', '/v1/workflows/runs', {
    spec: {
      steps: [
        {
          id: 'say',
          kind: 'inference',
          type: 'chat',
          body: { model: 'demo-chat', messages: [{ role: 'user', content }], ...extra },
        },
      ],
    },
    inputs: {},
  });
}

/** The request's history entry once it finished (the answer reaches the client before the final row). */
function finished(id: string, what = 'the request to finish'): Promise<HistoryEntry> {
  return until(what, async () => {
    const e = await entry(id);
    return e.status === 'PROCESSED' ? e : undefined;
  });
}

async function chat(extra: Record<string, unknown>, content = `hello ${Math.random()}`) {
  const res = await call<{ choices: { message: { content: string } }[] }>('POST', '/v1/chat/completions', {
    model: 'demo-chat',
    messages: [{ role: 'user', content }],
    ...extra,
  });
  expect(res.status).toBe(200);
  return { id: res.headers.get('x-request-id') as string, answer: res.body.choices[0].message.content, content };
}

async function image(extra: Record<string, unknown>) {
  const res = await call('POST', '/v1/images/generations', {
    model: 'demo-image',
    prompt: `a lake ${Math.random()}`,
    ...extra,
  });
  expect(res.status).toBe(200);
  return res.headers.get('x-request-id') as string;
}

/** What the demo provider received for the chat with this exact prompt. */
function receivedChat(content: string): Record<string, unknown> | undefined {
  return stack.demo
    .received()
    .find((r) => JSON.stringify((r.body as { messages?: unknown }).messages ?? null).includes(content))?.body;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('account defaults and per-request overrides', () => {
  afterAll(async () => {
    await call('PATCH', '/api/account/', { default_request_visibility: 'UNLISTED', default_collection_name: null });
  });

  test('the seed curl sets the defaults; sync, async and run-step requests inherit them', async () => {
    const before = await call<Record<string, unknown>>('GET', '/api/account/');
    expect(before.body).toEqual({
      name: owner.name,
      default_request_visibility: 'UNLISTED',
      default_collection_name: null,
    });

    // Verbatim the body of the documentation's curl.
    const res = await fetch(`${stack.url}/api/account/`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${owner.key}`, 'Content-Type': 'application/json' },
      body: '{"default_request_visibility": "PUBLIC", "default_collection_name": "My album"}',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      name: owner.name,
      default_request_visibility: 'PUBLIC',
      default_collection_name: 'My album',
    });

    const sync = await chat({});
    const job = await call<{ id: string }>('POST', '/v1/chat/completions', {
      model: 'demo-chat',
      messages: [{ role: 'user', content: 'async one' }],
      async: true,
    });
    expect(job.status).toBe(202);
    const run = await oneStepRun('from a run');
    expect(run.status).toBe(201);

    const album = await until('the three requests in "My album"', async () => {
      const list = await call<{ data: { id: string; name: string; item_count: number }[] }>(
        'GET',
        '/api/inference/collections/',
      );
      const found = list.body.data.find((c) => c.name === 'My album');
      return found && found.item_count >= 3 ? found : undefined;
    });
    const items = await until('every request finished', async () => {
      const page = await history(`&collection=${album.id}`);
      return page.length === 3 && page.every((e) => e.status === 'PROCESSED') ? page : undefined;
    });
    expect(items.map((e) => e.visibility)).toEqual(['PUBLIC', 'PUBLIC', 'PUBLIC']);
    // A job's answer is stored in the bucket; its text still reaches the history.
    expect(items.find((e) => e.id === job.body.id)?.output.text).toMatch(/^Demo reply to: async one/);
    expect(items.map((e) => e.parent?.run_id ?? null).filter(Boolean)).toEqual([run.body.id]);
    expect(items.find((e) => e.id === sync.id)?.collections).toEqual([{ id: album.id, name: 'My album' }]);
    // The implicit collection took the visibility of the request that created it.
    const detail = await call<CollectionView>('GET', `/api/inference/collections/${album.id}/`);
    expect(detail.body.visibility).toBe('PUBLIC');
  });

  test('a request’s own visibility and collection win, and never reach the provider', async () => {
    await call('PATCH', '/api/account/', { default_request_visibility: 'PRIVATE', default_collection_name: null });
    const mine = await chat({ visibility: 'SECRET', collection: 'Late night beats' });
    const plain = await chat({});
    expect((await entry(mine.id)).visibility).toBe('SECRET');
    expect((await entry(mine.id)).collections.map((c) => c.name)).toEqual(['Late night beats']);
    expect((await entry(plain.id)).visibility).toBe('PRIVATE');
    expect((await entry(plain.id)).collections).toEqual([]);

    const run = await oneStepRun('a step of its own', { visibility: 'PUBLIC', collection: 'Run album' });
    expect(run.status).toBe(201);
    const batch = await call<{ id: string }>('POST', '/v1/batches', {
      requests: [
        {
          custom_id: 'one',
          method: 'POST',
          url: '/v1/chat/completions',
          body: {
            model: 'demo-chat',
            messages: [{ role: 'user', content: 'batch item' }],
            visibility: 'UNLISTED',
            collection: 'Batch album',
          },
        },
      ],
    });
    expect(batch.status).toBe(200);
    const fromRun = await until('the run step in the history', async () =>
      (await history()).find((e) => e.parent?.run_id === run.body.id && e.status === 'PROCESSED'),
    );
    expect(fromRun.visibility).toBe('PUBLIC');
    expect(fromRun.collections.map((c) => c.name)).toEqual(['Run album']);
    const fromBatch = await until('the batch item in the history', async () =>
      (await history()).find((e) => e.parent?.batch_id === batch.body.id && e.status === 'PROCESSED'),
    );
    expect(fromBatch.visibility).toBe('UNLISTED');
    expect(fromBatch.collections.map((c) => c.name)).toEqual(['Batch album']);
    expect(receivedChat('a step of its own')).not.toHaveProperty('visibility');
    expect(receivedChat('batch item')).toBeDefined();
    expect(receivedChat('batch item')).not.toHaveProperty('collection');

    const received = receivedChat(mine.content);
    expect(received).toBeDefined();
    expect(received).not.toHaveProperty('visibility');
    expect(received).not.toHaveProperty('collection');
    expect(received?.model).toBe('demo-chat');
  });

  test('a bad visibility or collection is a 400 naming the field, on every kind of submission', async () => {
    for (const [path, body] of [
      ['/v1/chat/completions', { model: 'demo-chat', messages: [{ role: 'user', content: 'x' }], visibility: 'LOUD' }],
      ['/v1/images/generations', { model: 'demo-image', prompt: 'x', async: true, visibility: 'public' }],
      ['/v1/chat/completions', { model: 'demo-chat', messages: [{ role: 'user', content: 'x' }], collection: '  ' }],
    ] as const) {
      const res = await call<{ error: { param: string; type: string } }>('POST', path, body);
      expect(res.status).toBe(400);
      expect(['visibility', 'collection']).toContain(res.body.error.param);
    }
    const batch = await call<{ error: { param: string } }>('POST', '/v1/batches', {
      requests: [
        {
          custom_id: 'a',
          method: 'POST',
          url: '/v1/chat/completions',
          body: { model: 'demo-chat', messages: [{ role: 'user', content: 'x' }], visibility: 'NOPE' },
        },
      ],
    });
    expect(batch.status).toBe(400);
    expect(JSON.stringify(batch.body)).toContain('visibility');
    const account = await call<{ error: { param: string } }>('PATCH', '/api/account/', {
      default_request_visibility: 'EVERYONE',
    });
    expect(account.status).toBe(400);
    expect(account.body.error.param).toBe('default_request_visibility');
  });
});

describe('history', () => {
  test('keeps the input and the output: text (streamed too), images, uploads', async () => {
    const plain = await chat({}, 'tell me about lakes');
    // The answer reaches the client first; the row's final write follows within moments.
    const got = await finished(plain.id, 'the final row');
    expect(got.input).toMatchObject({
      model: 'demo-chat',
      messages: [{ role: 'user', content: 'tell me about lakes' }],
    });
    expect(got.output.text).toBe(plain.answer);
    expect(got.share_url).toMatch(new RegExp(`^${stack.url}/s/[0-9a-f]{64}$`));
    expect(got.usage).toBeTruthy();

    // Postgres holds no NUL character: one in a prompt is kept as U+FFFD, never stalls the row.
    const nul = await chat({}, 'a\u0000b');
    const withNul = await finished(nul.id, 'the NUL prompt’s row');
    expect(withNul.input).toMatchObject({ messages: [{ content: 'a\uFFFDb' }] });

    const streamed = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo-chat', stream: true, messages: [{ role: 'user', content: 'stream it' }] }),
    });
    const sse = await streamed.text();
    const text = sse
      .split('\n')
      .filter((l) => l.startsWith('data: ') && !l.includes('[DONE]'))
      .map(
        (l) =>
          (JSON.parse(l.slice(6)) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '',
      )
      .join('');
    const streamedId = streamed.headers.get('x-request-id') as string;
    await until('the streamed text in the history', async () =>
      (await entry(streamedId)).output.text === text ? true : undefined,
    );

    const imageId = await image({ n: 2 });
    const img = await finished(imageId, 'the image request to finish');
    expect(img.output.assets).toHaveLength(2);
    expect(img.output.assets[0].content_type).toBe('image/png');

    const form = new FormData();
    form.append('model', 'demo-stt');
    form.append('visibility', 'PRIVATE');
    form.append('collection', 'Voice notes');
    form.append('file', new Blob([new Uint8Array(wav())], { type: 'audio/wav' }), 'hello.wav');
    const stt = await fetch(`${stack.url}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.key}` },
      body: form,
    });
    expect(stt.status).toBe(200);
    const sttEntry = await entry(stt.headers.get('x-request-id') as string);
    expect(sttEntry.inputs).toHaveLength(1);
    expect(sttEntry.inputs[0].content_type).toBe('audio/wav');
    expect(sttEntry.input).not.toHaveProperty('file');
    expect(sttEntry.visibility).toBe('PRIVATE');
    expect(sttEntry.collections.map((c) => c.name)).toEqual(['Voice notes']);
    const sttReceived = stack.demo.received().find((r) => r.path.endsWith('/audio/transcriptions'))?.body;
    expect(sttReceived).toMatchObject({ model: 'demo-stt' });
    expect(sttReceived).not.toHaveProperty('visibility');
    expect(sttReceived).not.toHaveProperty('collection');
    expect(typeof sttEntry.output.text).toBe('string');
  });

  test('filters, pages, a visibility change and a delete that takes the assets along', async () => {
    const a = await image({ visibility: 'SECRET' });
    const b = await chat({ visibility: 'SECRET' });
    const secret = await history('&visibility=SECRET');
    expect(secret.map((e) => e.id)).toEqual(expect.arrayContaining([a, b.id]));
    expect(secret.every((e) => e.visibility === 'SECRET')).toBe(true);
    expect((await history('&kind=image')).every((e) => e.kind === 'image')).toBe(true);
    expect((await history('&model=demo-chat')).every((e) => e.model === 'demo-chat')).toBe(true);
    const first = await call<{ data: HistoryEntry[]; has_more: boolean; last_id: string }>(
      'GET',
      '/api/inference/requests/?limit=2',
    );
    expect(first.body.data).toHaveLength(2);
    expect(first.body.has_more).toBe(true);
    const second = await call<{ data: HistoryEntry[] }>(
      'GET',
      `/api/inference/requests/?limit=2&after=${first.body.last_id}`,
    );
    expect(second.body.data.map((e) => e.id)).not.toContain(first.body.data[1].id);
    for (const bad of ['?kind=poem', '?visibility=loud', '?limit=0', '?after=nope', '?collection=col_x']) {
      expect((await call('GET', `/api/inference/requests/${bad}`)).status).toBe(400);
    }

    const done = await finished(a, 'the image');
    const asset = done.output.assets[0].url.replace(stack.url, '');
    expect((await fetch(`${stack.url}${asset}`)).status).toBe(404);
    const patched = await call<HistoryEntry>('PATCH', `/api/inference/requests/${a}/`, { visibility: 'UNLISTED' });
    expect(patched.body.visibility).toBe('UNLISTED');
    expect((await fetch(`${stack.url}${asset}`)).status).toBe(200);
    expect((await call('PATCH', `/api/inference/requests/${a}/`, { visibility: 'ALL' })).status).toBe(400);
    expect(
      (await call('PATCH', `/api/inference/requests/${a}/`, { visibility: 'PUBLIC' }, credentials('member'))).status,
    ).toBe(404);

    const deleted = await call('DELETE', `/api/inference/requests/${a}/`);
    expect(deleted.body).toEqual({ id: a, object: 'inference.request', deleted: true });
    expect((await call('GET', `/api/inference/requests/${a}/`)).status).toBe(404);
    expect((await call('GET', asset)).status).toBe(404);
    expect((await call('DELETE', `/api/inference/requests/${a}/`)).status).toBe(404);
  });
});

describe('collections', () => {
  test('get-or-create is case-insensitive; the playlist keeps its order; rename, reorder, remove, delete', async () => {
    const created = await call<CollectionView>('POST', '/api/inference/collections/', { name: 'Road Trip' });
    expect(created.status).toBe(201);
    expect(created.body.visibility).toBe('UNLISTED');
    const again = await call<CollectionView>('POST', '/api/inference/collections/', {
      name: 'road trip',
      visibility: 'PUBLIC',
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    expect(again.body.visibility).toBe('UNLISTED');

    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await chat({ collection: 'ROAD TRIP' }, `song ${n}`)).id);
    const path = `/api/inference/collections/${created.body.id}/`;
    const listed = await until('three items', async () => {
      const view = await call<CollectionView>('GET', path);
      return view.body.items.length === 3 ? view.body : undefined;
    });
    expect(listed.items.map((i) => i.id)).toEqual(ids);

    const reordered = await call<CollectionView>('PATCH', path, { order: [ids[2], ids[0]] });
    expect(reordered.body.items.map((i) => i.id)).toEqual([ids[2], ids[0], ids[1]]);
    const later = (await chat({ collection: 'road trip' }, 'song 4')).id;
    await until('the fourth item at the end', async () => {
      const view = await call<CollectionView>('GET', path);
      return view.body.items.map((i) => i.id).join() === [ids[2], ids[0], ids[1], later].join() ? true : undefined;
    });

    const other = await call<CollectionView>('POST', '/api/inference/collections/', { name: 'Other trip' });
    expect((await call('PATCH', path, { name: 'OTHER TRIP' })).status).toBe(409);
    const renamed = await call<CollectionView>('PATCH', path, { name: 'Summer 2026', visibility: 'PUBLIC' });
    expect(renamed.body).toMatchObject({ name: 'Summer 2026', visibility: 'PUBLIC' });
    // A collection's visibility never touches its items.
    expect(renamed.body.items.map((i) => i.visibility)).toEqual(['UNLISTED', 'UNLISTED', 'UNLISTED', 'UNLISTED']);

    const removed = await call<CollectionView>('DELETE', `${path}items/${ids[0]}/`);
    expect(removed.body.items.map((i) => i.id)).toEqual([ids[2], ids[1], later]);
    const added = await call<CollectionView>('POST', `${path}items/`, { request_ids: [ids[0]] });
    expect(added.body.items.map((i) => i.id)).toEqual([ids[2], ids[1], later, ids[0]]);
    const notMine = await call('POST', `${path}items/`, { request_ids: ['0'.repeat(32)] });
    expect(notMine.status).toBe(400);

    expect((await call('DELETE', `/api/inference/collections/${other.body.id}/`)).status).toBe(200);
    expect((await call('DELETE', path)).body).toEqual({ id: created.body.id, object: 'collection', deleted: true });
    expect((await call('GET', path)).status).toBe(404);
    // The items stay in the history.
    expect((await call('GET', `/api/inference/requests/${ids[0]}/`)).status).toBe(200);
    // Another member can't see or touch the collection.
    const theirs = await call<CollectionView>('POST', '/api/inference/collections/', { name: 'Mine' });
    expect(
      (await call('GET', `/api/inference/collections/${theirs.body.id}/`, undefined, credentials('member'))).status,
    ).toBe(404);
  });

  test('implicit creation inherits the request’s visibility; a public collection hides its secret item', async () => {
    const secretFirst = await chat({ collection: 'Diary', visibility: 'SECRET' });
    const diary = (await entry(secretFirst.id)).collections[0];
    const view = await call<CollectionView>('GET', `/api/inference/collections/${diary.id}/`);
    expect(view.body.visibility).toBe('SECRET');

    const open = await call<CollectionView>('POST', '/api/inference/collections/', {
      name: 'Open album',
      visibility: 'PUBLIC',
    });
    const shown = await chat({ collection: 'Open album', visibility: 'PUBLIC' });
    const hidden = await chat({ collection: 'Open album', visibility: 'SECRET' });
    const token = open.body.share_url.split('/').at(-1) as string;
    const anon = await until('both items', async () => {
      const mine = await call<CollectionView>('GET', `/api/inference/collections/${open.body.id}/`);
      if (mine.body.items.length < 2) return undefined;
      return call<CollectionView>('GET', `/api/inference/shared/collections/${token}/`, undefined, {
        authorization: '',
      });
    });
    expect(anon.status).toBe(200);
    expect(anon.body.items.map((i) => i.id)).toEqual([shown.id]);
    expect(anon.body.item_count).toBe(1);
    const page = await fetch(`${stack.url}/c/${token}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).not.toContain(hidden.id);
  });
});

describe('the visibility matrix', () => {
  /**
   * Expected cells, written from the documentation's table, not from the code's rule: PUBLIC
   * anyone and listed on the profile; UNLISTED anyone with the link; PRIVATE signed-in members
   * with the link; SECRET only the owner. A plain id opens only the owner's own or a PUBLIC one;
   * the history lists the owner's own only.
   */
  const byLink = (v: Visibility, who: Viewer) =>
    who === 'owner' || v === 'PUBLIC' || v === 'UNLISTED' || (v === 'PRIVATE' && who === 'member');
  type Surface = {
    name: string;
    allowed: (v: Visibility, who: Viewer) => boolean;
    sees: (who: Viewer, item: Item) => Promise<boolean>;
  };
  type Item = { id: string; token: string; asset: string };
  const items = new Map<Visibility, Item>();
  let collectionToken = '';

  beforeAll(async () => {
    const album = await call<CollectionView>('POST', '/api/inference/collections/', {
      name: 'Matrix album',
      visibility: 'PUBLIC',
    });
    collectionToken = album.body.share_url.split('/').at(-1) as string;
    for (const visibility of VISIBILITIES) {
      const id = await image({ visibility, collection: 'Matrix album' });
      const done = await finished(id, `the ${visibility} image`);
      items.set(visibility, {
        id,
        token: done.share_url.split('/').at(-1) as string,
        asset: done.output.assets[0].url.replace(stack.url, ''),
      });
    }
  });

  const status = async (path: string, who: Viewer, via: 'bearer' | 'cookie' = 'bearer') => {
    const res = await fetch(`${stack.url}${path}`, { headers: credentials(who, via) });
    const body = await res.text();
    return { status: res.status, body };
  };
  const seen = async (path: string, who: Viewer, mark: string, via: 'bearer' | 'cookie' = 'bearer') => {
    const res = await status(path, who, via);
    if (res.status === 200) return res.body.includes(mark);
    // Refusals are the 404 of a link that never existed: nothing tells it apart.
    expect(res.status).toBe(who === 'anonymous' && path.startsWith('/api/inference/requests/?') ? 401 : 404);
    return false;
  };

  const surfaces: Surface[] = [
    {
      name: 'API get by id',
      allowed: (v, who) => who === 'owner' || v === 'PUBLIC',
      sees: (who, item) => seen(`/api/inference/requests/${item.id}/`, who, item.id),
    },
    {
      name: 'share link (API)',
      allowed: byLink,
      sees: (who, item) => seen(`/api/inference/shared/requests/${item.token}/`, who, item.id),
    },
    {
      name: 'share link page',
      allowed: byLink,
      sees: (who, item) => seen(`/s/${item.token}`, who, item.asset.split('/')[4], 'cookie'),
    },
    {
      name: 'asset URL',
      allowed: byLink,
      sees: async (who, item) => (await status(item.asset, who, 'cookie')).status === 200,
    },
    {
      name: 'public collection page',
      allowed: byLink,
      sees: (who, item) => seen(`/c/${collectionToken}`, who, item.asset.split('/')[4], 'cookie'),
    },
    {
      name: 'public collection (API)',
      allowed: byLink,
      sees: (who, item) => seen(`/api/inference/shared/collections/${collectionToken}/`, who, item.id),
    },
    {
      name: 'public profile page',
      allowed: (v) => v === 'PUBLIC',
      sees: (who, item) => seen(`/u/${encodeURIComponent(owner.name)}`, who, item.asset.split('/')[4], 'cookie'),
    },
    {
      name: 'public profile (API)',
      allowed: (v) => v === 'PUBLIC',
      sees: (who, item) => seen(`/api/inference/shared/members/${encodeURIComponent(owner.name)}/`, who, item.id),
    },
    {
      name: 'history listing',
      allowed: (_v, who) => who === 'owner',
      sees: (who, item) => seen('/api/inference/requests/?limit=100', who, item.id),
    },
  ];

  const cells = surfaces.flatMap((surface) =>
    (['anonymous', 'member', 'owner'] as Viewer[]).flatMap((who) =>
      VISIBILITIES.map((visibility) => [surface.name, who, visibility] as const),
    ),
  );

  test.each(cells)('%s · %s · %s', async (surfaceName, who, visibility) => {
    const surface = surfaces.find((s) => s.name === surfaceName) as Surface;
    const item = items.get(visibility) as Item;
    expect({ cell: `${surfaceName} · ${who} · ${visibility}`, sees: await surface.sees(who, item) }).toEqual({
      cell: `${surfaceName} · ${who} · ${visibility}`,
      sees: surface.allowed(visibility, who),
    });
  });

  test('a SECRET link works for its owner only, and for others once the owner makes it UNLISTED', async () => {
    const id = await image({ visibility: 'SECRET' });
    const token = (await entry(id)).share_url.split('/').at(-1) as string;
    expect((await status(`/s/${token}`, 'anonymous')).status).toBe(404);
    expect((await status(`/s/${token}`, 'owner')).status).toBe(200);
    await call('PATCH', `/api/inference/requests/${id}/`, { visibility: 'UNLISTED' });
    expect((await status(`/s/${token}`, 'anonymous')).status).toBe(200);
  });

  test('share tokens are unguessable: 244 random bits, none derived from the id', () => {
    const tokens = [...items.values()].map((i) => i.token);
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const item of items.values()) {
      expect(item.token).toMatch(/^[0-9a-f]{64}$/);
      expect(item.token).not.toContain(item.id);
    }
  });
});

/** A short silent WAV file (16-bit mono, 8 kHz, 0.1 s). */
function wav(): Buffer {
  const samples = 800;
  const b = Buffer.alloc(44 + samples * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples * 2, 4);
  b.write('WAVE', 8);
  b.write('fmt ', 12);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(16000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples * 2, 40);
  return b;
}

import { DEMO_MODELS } from '../demo-provider/server';
import type { RunObject } from '../domain/run-view';
import { TestStack, type TestMember } from './support/test-stack';

/**
 * Workflow runs end to end on the demo provider: the seed's inline spec, every template to DONE
 * (gated ones through approve, one through approve-with-edit, one through reject), cancel, retry
 * keeping earlier outputs, a 100-item map, and who may decide a gate.
 */
let stack: TestStack;
let alice: TestMember;
let bob: TestMember;
let carol: TestMember;

beforeAll(async () => {
  stack = await TestStack.start();
  alice = await stack.member('alice');
  bob = await stack.member('bob');
  carol = await stack.member('carol');
  await stack.agent(alice, { concurrency: 8 });
});
afterAll(async () => {
  try {
    await stack.recordHistories('runs');
  } finally {
    await stack.stop();
  }
});

type Run = RunObject & { error: string | null };
type ApiError = {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
    problems?: { step: string | null; param: string | null; message: string }[];
  };
};

const headers = (key: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${key}`,
  'content-type': 'application/json',
  ...extra,
});

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  key = alice.key,
  extra: Record<string, string> = {},
) {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: headers(key, extra),
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const start = (body: unknown, key = alice.key, extra: Record<string, string> = {}) =>
  call<Run & ApiError>('POST', '/v1/workflows/runs', body, key, extra);

/** Waits (with ?wait) until the run leaves RUNNING. */
async function settle(id: string, key = alice.key): Promise<Run> {
  for (;;) {
    const { status, body } = await call<Run>('GET', `/v1/workflows/runs/${id}?wait=20`, undefined, key);
    expect(status).toBe(200);
    if (body.status !== 'RUNNING') return body;
  }
}

const step = (run: Run, id: string) => {
  const found = run.steps.find((s) => s.step_id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
};

const SEED_SPEC = {
  steps: [
    {
      id: 'plan',
      kind: 'inference',
      type: 'chat',
      extract: 'json',
      title: 'Plan sections',
      body: {
        messages: [
          {
            role: 'user',
            content: 'List 4 blog section titles about {{inputs.topic}}. Return JSON: {"titles":["..."]}',
          },
        ],
      },
    },
    {
      id: 'images',
      kind: 'map',
      type: 'image',
      title: 'Illustrate each section',
      over: '{{steps.plan.output.titles}}',
      body: { prompt: 'Blog illustration for: {{item}}' },
    },
  ],
};

test("the seed's inline spec runs to DONE: a plan, then one image per title", async () => {
  const created = await start({ spec: SEED_SPEC, inputs: { topic: 'distributed AI' } });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ object: 'workflow.run', status: 'RUNNING', template: null });
  const run = await settle(created.body.id);
  expect(run.status).toBe('DONE');
  const titles = (step(run, 'plan').output as { titles: string[] }).titles;
  expect(titles).toHaveLength(4);
  const images = step(run, 'images');
  expect(images.output).toHaveLength(4);
  expect(images.items?.map((i) => i.status)).toEqual(['DONE', 'DONE', 'DONE', 'DONE']);
  const first = (images.output as { url: string; content_type: string }[])[0];
  expect(first.content_type).toBe('image/png');
  const png = await fetch(first.url);
  expect(png.status).toBe(200);
  expect(png.headers.get('content-type')).toBe('image/png');
});

/** The requests a run's steps made, per step (one per attempt and item). */
async function requestsOf(runId: string): Promise<Record<string, { status: string; model: string }[]>> {
  const rows = await stack.db
    .selectFrom('requests')
    .select(['run_step', 'status', 'model'])
    .where('run_id', '=', runId)
    .execute();
  const by: Record<string, { status: string; model: string }[]> = {};
  for (const row of rows) (by[row.run_step as string] ??= []).push({ status: row.status, model: row.model });
  return by;
}

const approve = (id: string, stepId: string, body?: unknown, key = alice.key) =>
  call<Run & ApiError>('POST', `/v1/workflows/runs/${id}/steps/${stepId}/approve`, body, key);
const reject = (id: string, stepId: string, body?: unknown, key = alice.key) =>
  call<Run & ApiError>('POST', `/v1/workflows/runs/${id}/steps/${stepId}/reject`, body, key);

describe('templates', () => {
  test('the list shows the five, each with its inputs; one shows its spec', async () => {
    const list = await call<{
      object: string;
      data: { key: string; inputs: { required: string[] }; spec?: unknown }[];
    }>('GET', '/v1/workflows/templates');
    expect(list.status).toBe(200);
    expect(Object.fromEntries(list.body.data.map((t) => [t.key, t.inputs.required]))).toEqual({
      'illustrated-story': ['topic', 'scenes', 'style'],
      'image-variations': ['subject', 'count', 'vibe'],
      'storyboard-to-video': ['concept', 'shots'],
      'song-and-cover': ['theme', 'genre'],
      'narrated-explainer': ['topic', 'lines'],
    });
    expect(list.body.data.every((t) => t.spec === undefined)).toBe(true);
    const one = await call<{ key: string; spec: { steps: unknown[] } }>(
      'GET',
      '/v1/workflows/templates/song-and-cover',
    );
    expect(one.body.spec.steps.length).toBeGreaterThan(1);
    expect((await call('GET', '/v1/workflows/templates/nope')).status).toBe(404);
  });

  test('image-variations runs to DONE: one image per brainstormed prompt', async () => {
    const created = await start({
      template: 'image-variations',
      inputs: { subject: 'a red fox', count: 3, vibe: 'dreamy' },
    });
    expect(created.status).toBe(201);
    expect(created.body.inputs).toMatchObject({ size: 'auto' });
    const run = await settle(created.body.id);
    expect(run.status).toBe('DONE');
    expect(step(run, 'render').output).toHaveLength(3);
  });

  test('song-and-cover runs to DONE: a track and its cover art in parallel', async () => {
    const run = await settle(
      (await start({ template: 'song-and-cover', inputs: { theme: 'night trains', genre: 'synthwave' } })).body.id,
    );
    expect(run.status).toBe('DONE');
    expect(step(run, 'track').output).toMatchObject({ content_type: expect.stringMatching(/^audio\//) });
    expect(step(run, 'cover').output).toMatchObject({ content_type: 'image/png' });
    const track = step(run, 'track');
    const cover = step(run, 'cover');
    // Both started once the lyrics were written, before either had finished.
    expect(track.started_at).toBeLessThanOrEqual(cover.finished_at as number);
    expect(cover.started_at).toBeLessThanOrEqual(track.finished_at as number);
  });

  test('narrated-explainer runs to DONE: one narration per line', async () => {
    const run = await settle(
      (await start({ template: 'narrated-explainer', inputs: { topic: 'tides', lines: 3 } })).body.id,
    );
    expect(run.status).toBe('DONE');
    const clips = step(run, 'narrate').output as { content_type: string; url: string }[];
    expect(clips).toHaveLength(3);
    expect(clips[0].content_type).toMatch(/^audio\//);
    expect((await fetch(clips[0].url)).status).toBe(200);
  });

  test('illustrated-story waits at its gate, and the approver’s edit reaches the illustrating provider', async () => {
    const created = await start({
      template: 'illustrated-story',
      inputs: { topic: 'a lighthouse', scenes: 3, style: 'ink' },
    });
    let run = await settle(created.body.id);
    expect(run.status).toBe('AWAITING');
    const gate = step(run, 'approve');
    expect(gate.status).toBe('AWAITING');
    expect(gate.gate?.show).toHaveLength(3);
    expect(step(run, 'illustrate').status).toBe('PENDING');

    const edited = ['The keeper climbs the stairs at dusk.', 'A ship’s light answers from the fog.'];
    const approved = await approve(run.id, 'approve', { value: edited, comment: 'two scenes are enough' });
    expect(approved.status).toBe(200);
    expect(step(approved.body, 'approve').gate).toMatchObject({
      decision: 'approved',
      edited: true,
      decided_by: alice.name,
    });
    run = await settle(run.id);
    expect(run.status).toBe('DONE');
    expect(step(run, 'approve').output).toEqual(edited);
    const images = step(run, 'illustrate').output as { url: string }[];
    expect(images).toHaveLength(2);

    // The provider drew the edited scene: the same prompt, sent directly, gives the same image.
    const [{ model }] = (await requestsOf(run.id)).illustrate;
    const prompt = `${edited[0]}\nIllustration for a story about a lighthouse, in the style of ink. Keep the characters consistent from scene to scene; no text in the image.`;
    const direct = await alice.openai.images.generate({ model, prompt, response_format: 'b64_json' });
    const drawn = Buffer.from(await (await fetch(images[0].url)).arrayBuffer());
    expect(drawn.equals(Buffer.from(direct.data?.[0].b64_json as string, 'base64'))).toBe(true);
    const other = Buffer.from(await (await fetch(images[1].url)).arrayBuffer());
    expect(other.equals(drawn)).toBe(false);
  });

  test('storyboard-to-video: frames, a gate approved as shown, then every frame animated', async () => {
    const created = await start({ template: 'storyboard-to-video', inputs: { concept: 'a paper boat', shots: 2 } });
    let run = await settle(created.body.id);
    expect(run.status).toBe('AWAITING');
    const frames = step(run, 'approve').gate?.show as { asset_id: string; url: string }[];
    expect(frames).toHaveLength(2);
    expect((await fetch(frames[0].url)).status).toBe(200);
    expect((await approve(run.id, 'approve')).status).toBe(200);
    run = await settle(run.id);
    expect(run.status).toBe('DONE');
    const clips = step(run, 'animate').output as { content_type: string }[];
    expect(clips.map((c) => c.content_type)).toEqual(['video/mp4', 'video/mp4']);
  });

  test('a rejected gate ends the run CANCELED, the gate marked rejected with its reason', async () => {
    const created = await start({
      template: 'illustrated-story',
      inputs: { topic: 'moss', scenes: 1, style: 'pencil' },
    });
    const waiting = await settle(created.body.id);
    expect(waiting.status).toBe('AWAITING');
    const rejected = await reject(waiting.id, 'approve', { reason: 'too gloomy' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('CANCELED');
    expect(rejected.body.error).toContain('too gloomy');
    expect(step(rejected.body, 'approve')).toMatchObject({
      status: 'CANCELED',
      gate: { decision: 'rejected', reason: 'too gloomy', decided_by: alice.name },
    });
    expect(step(rejected.body, 'illustrate').status).toBe('SKIPPED');
    // Decided already: 409, atomically, never a silent no-op.
    const again = await approve(waiting.id, 'approve');
    expect(again.status).toBe(409);
    expect(again.body.error.type).toBe('invalid_state');
  });
});

describe('a bad request is one 400 listing every problem, and nothing starts', () => {
  test('an inline spec with every kind of mistake', async () => {
    const before = await stack.db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const res = await start({
      inputs: { topic: 'x' },
      spec: {
        steps: [
          {
            id: 'a',
            kind: 'inference',
            type: 'chat',
            body: { messages: [{ role: 'user', content: '{{steps.b.output}}' }] },
          },
          {
            id: 'b',
            kind: 'inference',
            type: 'chat',
            body: { messages: [{ role: 'user', content: '{{steps.a.output}}' }] },
          },
          { id: 'b', kind: 'gate', show: 'dup' },
          { id: 'c', kind: 'teleport' },
          { id: 'd', kind: 'inference', type: 'hologram', body: {} },
          { id: 'e', kind: 'inference', type: 'image', body: { prompt: '{{steps.ghost.output}} {{inputs.missing}}' } },
          { id: 'f', kind: 'map', type: 'image', over: 'not a reference', body: { prompt: '{{item}}' } },
          { id: 'g', kind: 'inference', type: 'chat' },
          { id: 'h', kind: 'transform', expression: '$sum(' },
          { id: 'i', kind: 'gate', show: '{{item}}', approvers: ['nobody-by-that-name'] },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_workflow' });
    const problems = res.body.error.problems ?? [];
    const has = (stepId: string | null, text: RegExp) =>
      expect(problems.some((p) => p.step === stepId && text.test(p.message))).toBe(true);
    has('a', /cycle: (a → b → a|b → a → b)/);
    has('b', /used by another step/);
    has('c', /must be one of inference, map, gate, transform/);
    has('d', /must be one of chat/);
    has('e', /no step 'ghost'/);
    has('e', /no input 'missing'/);
    has('f', /a map needs `over`/);
    has('g', /needs a body/);
    has('h', /does not parse/);
    has('i', /only meaningful in a map/);
    has('i', /no member 'nobody-by-that-name'/);
    expect(problems.find((p) => p.step === 'e' && /ghost/.test(p.message))?.param).toBe('spec.steps[5].body.prompt');
    const after = await stack.db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toEqual(before.n);
  });

  test("a template's missing and mistyped inputs, an unknown template, both template and spec", async () => {
    const res = await start({ template: 'illustrated-story', inputs: { scenes: 40, style: 3 } });
    expect(res.status).toBe(400);
    const params = (res.body.error.problems ?? []).map((p) => p.param).sort();
    expect(params).toEqual(['inputs.scenes', 'inputs.style', 'inputs.topic']);
    expect(res.body.error.message).toMatch(/3 problems/);
    const unknown = await start({ template: 'illustrated-novel', inputs: {} });
    expect(unknown.body.error.problems).toEqual([expect.objectContaining({ param: 'template' })]);
    const both = await start({ template: 'song-and-cover', spec: SEED_SPEC });
    expect(both.status).toBe(400);
    const neither = await start({ inputs: {} });
    expect(neither.body.error.message).toMatch(/exactly one of `template`/);
  });
});

describe('running', () => {
  test('cancel stops the running step at its agent; the run and the step end CANCELED', async () => {
    const created = await start({
      spec: {
        steps: [
          { id: 'fast', kind: 'inference', type: 'chat', body: { messages: [{ role: 'user', content: 'hi' }] } },
          {
            id: 'slow',
            kind: 'inference',
            type: 'chat',
            body: { model: 'demo-chat-slow', messages: [{ role: 'user', content: 'take your time' }] },
          },
        ],
      },
    });
    const id = created.body.id;
    await waitFor(async () => (await requestsOf(id)).slow?.[0]?.status === 'PROCESSING', 'the slow step to be taken');
    const canceled = await call<Run>('POST', `/v1/workflows/runs/${id}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('CANCELED');
    expect(step(canceled.body, 'slow').status).toBe('CANCELED');
    expect((await requestsOf(id)).slow[0].status).toBe('CANCELED');
    const again = await call<ApiError>('POST', `/v1/workflows/runs/${id}/cancel`);
    expect(again.status).toBe(409);
  });

  test('retry of a FAILED run re-runs only the failed step and keeps the outputs of the others', async () => {
    // Dave's rig serves chat only: the image step finds no model and the run fails.
    const dave = await stack.member('dave');
    const chatOnly = await stack.agent(dave, { models: DEMO_MODELS.filter((m) => m.service_type === 'llm') });
    const created = await start(
      {
        spec: {
          steps: [
            {
              id: 'write',
              kind: 'inference',
              type: 'chat',
              body: { messages: [{ role: 'user', content: 'a haiku' }] },
            },
            { id: 'draw', kind: 'inference', type: 'image', body: { prompt: '{{steps.write.output}}' } },
          ],
        },
      },
      dave.key,
    );
    const failed = await settle(created.body.id, dave.key);
    expect(failed.status).toBe('FAILED');
    expect(step(failed, 'write').status).toBe('DONE');
    expect(step(failed, 'draw')).toMatchObject({ status: 'FAILED', error: expect.stringContaining('No image model') });
    expect(failed.error).toMatch(/Step 'draw' failed/);
    expect((await call<ApiError>('POST', `/v1/workflows/runs/${failed.id}/retry`, undefined, alice.key)).status).toBe(
      404,
    );

    // An image model comes online; the retry draws, and the haiku is not written again.
    const images = await stack.agent(dave, { models: DEMO_MODELS.filter((m) => m.service_type === 'image') });
    const retried = await call<Run>('POST', `/v1/workflows/runs/${failed.id}/retry`, undefined, dave.key);
    expect(retried.status).toBe(202);
    expect(retried.body.status).toBe('RUNNING');
    expect(step(retried.body, 'write').status).toBe('DONE');
    const done = await settle(failed.id, dave.key);
    expect(done.status).toBe('DONE');
    expect(step(done, 'write').output).toEqual(step(failed, 'write').output);
    expect(step(done, 'draw').output).toMatchObject({ content_type: 'image/png' });
    const calls = await requestsOf(failed.id);
    expect(calls.write).toHaveLength(1);
    expect(calls.draw.map((r) => r.status)).toEqual(['PROCESSED']);
    expect((await call<ApiError>('POST', `/v1/workflows/runs/${failed.id}/retry`, undefined, dave.key)).status).toBe(
      409,
    );
    await Promise.all([chatOnly.stop(), images.stop()]);
  });

  test('a map of 100 images: one child each, in order', async () => {
    const created = await start({
      spec: {
        steps: [
          { id: 'list', kind: 'transform', expression: "[1..100].('tile ' & $string($))" },
          {
            id: 'tiles',
            kind: 'map',
            type: 'image',
            over: '{{steps.list.output}}',
            body: { prompt: '{{item}} of {{index}}' },
          },
        ],
      },
    });
    const run = await settle(created.body.id);
    expect(run.status).toBe('DONE');
    const tiles = step(run, 'tiles');
    expect(tiles.output).toHaveLength(100);
    expect(new Set((tiles.output as { asset_id: string }[]).map((a) => a.asset_id)).size).toBe(100);
    expect(tiles.items?.every((i) => i.status === 'DONE')).toBe(true);
    expect((await requestsOf(run.id)).tiles).toHaveLength(100);
  });

  test('allow_failures: a failed item is null and listed; without it, the step fails', async () => {
    const spec = (allow: boolean) => ({
      steps: [
        {
          id: 'sizes',
          kind: 'map',
          type: 'image',
          allow_failures: allow,
          retries: 0,
          over: '{{inputs.sizes}}',
          body: { prompt: 'a square', size: '{{item}}' },
        },
      ],
    });
    const inputs = { sizes: ['256x256', 'enormous', '512x512'] };
    const lenient = await settle((await start({ spec: spec(true), inputs })).body.id);
    expect(lenient.status).toBe('DONE');
    const sizes = step(lenient, 'sizes');
    expect((sizes.output as unknown[]).map((o) => o === null)).toEqual([false, true, false]);
    expect(sizes.errors).toEqual([{ index: 1, error: expect.stringContaining('size') }]);
    const strict = await settle((await start({ spec: spec(false), inputs })).body.id);
    expect(strict.status).toBe('FAILED');
    expect(step(strict, 'sizes').error).toMatch(/^item 1: /);
  });

  test("extract json fails the step, saying why, when the model's answer holds no JSON", async () => {
    const run = await settle(
      (
        await start({
          spec: {
            steps: [
              {
                id: 'talk',
                kind: 'inference',
                type: 'chat',
                extract: 'json',
                retries: 0,
                body: { messages: [{ role: 'user', content: 'just chat' }] },
              },
            ],
          },
        })
      ).body.id,
    );
    expect(run.status).toBe('FAILED');
    expect(step(run, 'talk').error).toMatch(/not JSON/);
  });

  test('Idempotency-Key: the same key and body give the same run; another body is 422', async () => {
    const key = `run-${Date.now()}`;
    const body = { template: 'image-variations', inputs: { subject: 'kites', count: 1, vibe: 'windy' } };
    const first = await start(body, alice.key, { 'idempotency-key': key });
    const second = await start(body, alice.key, { 'idempotency-key': key });
    expect(second.body.id).toBe(first.body.id);
    const other = await start({ ...body, inputs: { ...body.inputs, count: 2 } }, alice.key, { 'idempotency-key': key });
    expect(other.status).toBe(422);
    await settle(first.body.id);
  });

  test('the list is newest first, filtered by status, and only yours', async () => {
    const list = await call<{ data: Run[]; has_more: boolean }>('GET', '/v1/workflows/runs?limit=3');
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(3);
    const created = list.body.data.map((r) => r.created_at);
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    const done = await call<{ data: Run[] }>('GET', '/v1/workflows/runs?status=DONE&limit=100');
    expect(done.body.data.every((r) => r.status === 'DONE')).toBe(true);
    expect((await call<{ data: Run[] }>('GET', '/v1/workflows/runs', undefined, carol.key)).body.data).toEqual([]);
    expect((await call<ApiError>('GET', '/v1/workflows/runs?status=LOST')).status).toBe(400);
  });
});

describe('who decides a gate', () => {
  const gated = () => ({
    spec: {
      steps: [
        { id: 'draft', kind: 'inference', type: 'chat', body: { messages: [{ role: 'user', content: 'a slogan' }] } },
        { id: 'review', kind: 'gate', show: '{{steps.draft.output}}', approvers: [bob.name] },
      ],
    },
  });

  test('a listed approver sees and decides; anyone else gets 404', async () => {
    const run = await settle((await start(gated())).body.id);
    expect(run.status).toBe('AWAITING');
    expect((await call('GET', `/v1/workflows/runs/${run.id}`, undefined, carol.key)).status).toBe(404);
    expect((await approve(run.id, 'review', {}, carol.key)).status).toBe(404);
    expect((await reject(run.id, 'review', {}, carol.key)).status).toBe(404);
    expect((await call('POST', `/v1/workflows/runs/${run.id}/cancel`, undefined, bob.key)).status).toBe(404);
    expect((await call('GET', `/v1/workflows/runs/${run.id}`, undefined, bob.key)).status).toBe(200);
    expect((await approve(run.id, 'draft', {}, bob.key)).status).toBe(404);
    const decided = await approve(run.id, 'review', { comment: 'ship it' }, bob.key);
    expect(decided.status).toBe(200);
    const done = await settle(run.id);
    expect(done.status).toBe('DONE');
    expect(step(done, 'review').gate).toMatchObject({
      decision: 'approved',
      decided_by: bob.name,
      comment: 'ship it',
      edited: false,
    });
    expect(step(done, 'review').output).toBe(step(done, 'draft').output);
  });

  test('an operator decides from the Temporal UI or CLI with a plain signal, under the same rules', async () => {
    const run = await settle((await start(gated())).body.id);
    const handle = stack.temporal.client.workflow.getHandle(`run-${run.id}`);
    // A signal for a step that is no gate is ignored (and logged); the gate still waits.
    await handle.signal('approve', { step_id: 'draft' });
    expect((await call<Run>('GET', `/v1/workflows/runs/${run.id}`)).body.status).toBe('AWAITING');
    await handle.signal('approve', { step_id: 'review', value: 'edited by ops' });
    const done = await settle(run.id);
    expect(done.status).toBe('DONE');
    expect(step(done, 'review')).toMatchObject({
      output: 'edited by ops',
      gate: { decided_by: 'operator', edited: true },
    });
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

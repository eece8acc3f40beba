import { Webhook } from 'standardwebhooks';
import { startDemoProvider, type DemoProvider } from '../demo-provider/server';
import type { JobObject } from '../domain/job-view';
import { waitUntil } from './support/processes';
import { TestStack, type TestMember } from './support/test-stack';
import { Receiver } from './webhooks/receiver';

/** Async jobs end to end: "async": true, polling, cancel, retry, Idempotency-Key, webhooks. */
let stack: TestStack;
let alice: TestMember;
let slow: DemoProvider;

beforeAll(async () => {
  stack = await TestStack.start();
  alice = await stack.member('alice');
  await stack.agent(alice);
  slow = await startDemoProvider({ latencyMs: 1200 });
});
afterAll(async () => {
  try {
    await stack.recordHistories('jobs');
  } finally {
    await stack.stop();
    await slow.close();
  }
});

const headers = (key: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${key}`,
  'content-type': 'application/json',
  ...extra,
});

async function submit(
  path: string,
  body: Record<string, unknown>,
  key = alice.key,
  extra: Record<string, string> = {},
) {
  const res = await fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: headers(key, extra),
    body: JSON.stringify({ ...body, async: true }),
  });
  return { status: res.status, body: (await res.json()) as JobObject & { error: { type: string; param?: string } } };
}

async function getJob(id: string, key = alice.key) {
  const res = await fetch(`${stack.url}/v1/jobs/${id}`, { headers: headers(key) });
  return { status: res.status, body: (await res.json()) as JobObject };
}

/** The seed's polling loop: until PROCESSED, FAILED or CANCELED. */
async function poll(id: string, key = alice.key): Promise<JobObject> {
  for (;;) {
    const job = (await getJob(id, key)).body;
    if (['PROCESSED', 'FAILED', 'CANCELED'].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const post = (path: string, key = alice.key) => fetch(`${stack.url}${path}`, { method: 'POST', headers: headers(key) });

describe('every async endpoint answers 202 with a job that ends PROCESSED with its output', () => {
  test('chat and completions: the provider’s JSON answer', async () => {
    const chat = await submit('/v1/chat/completions', {
      model: 'demo-chat',
      messages: [{ role: 'user', content: 'later' }],
    });
    expect(chat.status).toBe(202);
    expect(chat.body).toMatchObject({
      object: 'job',
      status: 'QUEUED',
      endpoint: '/v1/chat/completions',
      model: 'demo-chat',
    });
    const done = await poll(chat.body.id);
    expect(done).toMatchObject({
      status: 'PROCESSED',
      error: null,
      result_url: null,
      queue_position: null,
      batch_id: null,
    });
    expect((done.result as { choices: { message: { content: string } }[] }).choices[0].message.content).toContain(
      'later',
    );
    expect(done.usage).toMatchObject({ total_tokens: expect.any(Number) });
    expect(done.started_at).toEqual(expect.any(Number));
    const completion = await poll(
      (await submit('/v1/completions', { model: 'demo-chat', prompt: 'once upon a time' })).body.id,
    );
    expect((completion.result as { choices: { text: string }[] }).choices[0].text).toContain('once upon');
  });

  test('images: signed links in the result', async () => {
    const job = await poll(
      (await submit('/v1/images/generations', { model: 'demo-image', prompt: 'a fox', n: 2 })).body.id,
    );
    const data = (job.result as { data: { url: string }[] }).data;
    expect(data).toHaveLength(2);
    const image = await fetch(data[0].url);
    expect(image.headers.get('content-type')).toBe('image/png');
  });

  test.each([
    ['/v1/audio/speech', { model: 'demo-tts', input: 'hello there', voice: 'alloy' }, 'audio/wav'],
    ['/v1/music/generations', { model: 'demo-music', prompt: 'lo-fi', duration: 1 }, 'audio/wav'],
    ['/v1/videos/generations', { model: 'demo-video', prompt: 'a sunrise', duration: 1 }, 'video/mp4'],
    ['/v1/3d/generations', { model: 'demo-mesh', prompt: 'a chair' }, 'model/gltf-binary'],
  ])('%s: result_url fetches the real output', async (path, body, type) => {
    const job = await poll((await submit(path, body)).body.id);
    expect(job.status).toBe('PROCESSED');
    const res = await fetch(job.result_url as string);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (type === 'video/mp4') expect(bytes.toString('latin1', 4, 8)).toBe('ftyp');
    if (type === 'model/gltf-binary') expect(bytes.toString('latin1', 0, 4)).toBe('glTF');
  });
});

test('async is refused on synchronous-only endpoints and with stream, naming the field', async () => {
  const voice = await submit('/v1/voice/generations', { model: 'demo-dia', input: '[S1] hi' });
  expect(voice).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error', param: 'async' } } });
  const form = new FormData();
  form.set('model', 'demo-image');
  form.set('prompt', 'x');
  form.set('async', 'true');
  form.set('image', new Blob([Buffer.from('89504e470d0a1a0a', 'hex')]), 'a.png');
  const edit = await fetch(`${stack.url}/v1/images/edits`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice.key}` },
    body: form,
  });
  expect(edit.status).toBe(400);
  const streamed = await submit('/v1/chat/completions', {
    model: 'demo-chat',
    stream: true,
    messages: [{ role: 'user', content: 'x' }],
  });
  expect(streamed).toMatchObject({ status: 400, body: { error: { param: 'stream' } } });
  const unknown = await submit('/v1/chat/completions', {
    model: 'nobody-serves-this',
    messages: [{ role: 'user', content: 'x' }],
  });
  expect(unknown).toMatchObject({ status: 404, body: { error: { type: 'no_provider' } } });
});

test('50 identical requests with one Idempotency-Key make exactly one job; another body is 422', async () => {
  const member = await stack.member('idem');
  const own = await startDemoProvider();
  await stack.agent(member, { upstreams: { default: own.url } });
  const body = { model: 'demo-chat', messages: [{ role: 'user', content: 'only once' }] };
  const key = { 'idempotency-key': 'my-unique-request-id-abc123' };
  const answers = await Promise.all(
    Array.from({ length: 50 }, () => submit('/v1/chat/completions', body, member.key, key)),
  );
  expect(new Set(answers.map((a) => a.status))).toEqual(new Set([202]));
  const ids = new Set(answers.map((a) => a.body.id));
  expect(ids.size).toBe(1);
  const [id] = [...ids];
  expect((await poll(id, member.key)).status).toBe('PROCESSED');
  // One workflow, one provider call.
  const workflows = [];
  for await (const wf of stack.temporal.client.workflow.list({ query: `WorkflowId = 'job-${id}'` })) workflows.push(wf);
  expect(workflows).toHaveLength(1);
  expect(own.stats().requests).toBe(1);
  // The same key, once more: the same job, still one call.
  expect((await submit('/v1/chat/completions', body, member.key, key)).body.id).toBe(id);
  expect(own.stats().requests).toBe(1);
  const reused = await submit(
    '/v1/chat/completions',
    { ...body, messages: [{ role: 'user', content: 'something else' }] },
    member.key,
    key,
  );
  expect(reused).toMatchObject({ status: 422, body: { error: { type: 'idempotency_key_reused' } } });
  await own.close();
});

test('cancel reaches the agent, which stops its model; wrong states are 409; retry runs again under the same id', async () => {
  const member = await stack.member('cancel');
  await stack.agent(member, { upstreams: { default: slow.url } });
  const abortedBefore = slow.stats().aborted;
  const job = (
    await submit('/v1/chat/completions', { model: 'demo-chat', messages: [{ role: 'user', content: 'x' }] }, member.key)
  ).body;
  await waitUntil(() => slow.stats().inFlight > 0, 'the model to start');
  const canceled = await post(`/v1/jobs/${job.id}/cancel`, member.key);
  expect(canceled.status).toBe(200);
  expect(((await canceled.json()) as JobObject).status).toBe('CANCELED');
  await waitUntil(() => slow.stats().aborted > abortedBefore, 'the agent to abort its upstream call');

  const again = await post(`/v1/jobs/${job.id}/cancel`, member.key);
  expect(again.status).toBe(409);
  expect(((await again.json()) as { error: { type: string; message: string } }).error).toMatchObject({
    type: 'invalid_state',
    message: expect.stringContaining('CANCELED'),
  });

  const retried = await post(`/v1/jobs/${job.id}/retry`, member.key);
  expect(retried.status).toBe(202);
  expect(((await retried.json()) as JobObject).status).toBe('QUEUED');
  expect((await poll(job.id, member.key)).status).toBe('PROCESSED');
  const notAgain = await post(`/v1/jobs/${job.id}/retry`, member.key);
  expect(notAgain.status).toBe(409);
});

test('a failed job says why, and may be retried', async () => {
  const failed = await poll(
    (await submit('/v1/chat/completions', { model: 'demo-chat-error', messages: [{ role: 'user', content: 'x' }] }))
      .body.id,
  );
  expect(failed).toMatchObject({ status: 'FAILED', error: { type: 'upstream_error' }, result: null });
  expect((await post(`/v1/jobs/${failed.id}/retry`)).status).toBe(202);
  expect((await poll(failed.id)).status).toBe('FAILED');
});

test('another member gets 404 on every job route', async () => {
  const job = (
    await submit('/v1/chat/completions', { model: 'demo-chat', messages: [{ role: 'user', content: 'mine' }] })
  ).body;
  const bob = await stack.member('bob');
  expect((await getJob(job.id, bob.key)).status).toBe(404);
  expect((await post(`/v1/jobs/${job.id}/cancel`, bob.key)).status).toBe(404);
  expect((await post(`/v1/jobs/${job.id}/retry`, bob.key)).status).toBe(404);
  expect((await getJob('not-a-job-id', bob.key)).status).toBe(404);
});

test('the listing: newest first, filters, pages', async () => {
  const member = await stack.member('lister');
  await stack.agent(member);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    ids.push(
      (
        await submit(
          '/v1/chat/completions',
          { model: 'demo-chat', messages: [{ role: 'user', content: `${i}` }] },
          member.key,
        )
      ).body.id,
    );
  }
  for (const id of ids) await poll(id, member.key);
  const list = async (query: string) =>
    (await (await fetch(`${stack.url}/v1/jobs${query}`, { headers: headers(member.key) })).json()) as {
      object: string;
      data: JobObject[];
      has_more: boolean;
      last_id: string;
    };
  const first = await list('?limit=2');
  expect(first).toMatchObject({ object: 'list', has_more: true });
  expect(first.data.map((j) => j.id)).toEqual([ids[4], ids[3]]);
  const second = await list(`?limit=2&after=${first.last_id}`);
  expect(second.data.map((j) => j.id)).toEqual([ids[2], ids[1]]);
  const last = await list(`?limit=2&after=${second.last_id}`);
  expect(last).toMatchObject({ has_more: false });
  expect(last.data.map((j) => j.id)).toEqual([ids[0]]);
  expect((await list('?status=PROCESSED')).data).toHaveLength(5);
  expect((await list('?active=1')).data).toHaveLength(0);
  const bad = await fetch(`${stack.url}/v1/jobs?limit=1000`, { headers: headers(member.key) });
  expect(bad.status).toBe(400);
});

test('a job waiting for a busy agent stays QUEUED with its queue position', async () => {
  const member = await stack.member('queue');
  await stack.agent(member, { upstreams: { default: slow.url }, concurrency: 1 });
  const jobs: JobObject[] = [];
  for (let i = 0; i < 3; i++) {
    jobs.push(
      (
        await submit(
          '/v1/chat/completions',
          { model: 'demo-chat', messages: [{ role: 'user', content: `q${i}` }] },
          member.key,
        )
      ).body,
    );
  }
  // One runs; the other two wait their turn, numbered in the order they arrived. (Which one runs
  // first is Temporal matching's choice when their tasks reach the queue within the same moment.)
  let views: JobObject[] = [];
  await waitUntil(async () => {
    views = await Promise.all(jobs.map(async (j) => (await getJob(j.id, member.key)).body));
    return views.some((v) => v.status === 'PROCESSING');
  }, 'a job to run');
  const waiting = views.filter((v) => v.status === 'QUEUED');
  expect(waiting).toHaveLength(2);
  expect(waiting.map((v) => v.queue_position)).toEqual([0, 1]);
  expect(views.filter((v) => v.status === 'PROCESSING').map((v) => v.queue_position)).toEqual([null]);
  const finals = await Promise.all(jobs.map((j) => poll(j.id, member.key)));
  expect(finals.map((j) => j.status)).toEqual(['PROCESSED', 'PROCESSED', 'PROCESSED']);
  // Busy is not dead: one provider, one attempt each.
  const rows = await stack.db.selectFrom('requests').select('attempts').where('member_id', '=', member.id).execute();
  expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1]);
});

describe('webhooks', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await Receiver.start();
  });
  afterAll(() => receiver.close());

  test('the job object is delivered when the job ends, signed by the member’s secret', async () => {
    const job = (
      await submit('/v1/chat/completions', {
        model: 'demo-chat',
        messages: [{ role: 'user', content: 'call me' }],
        webhook: receiver.url,
      })
    ).body;
    await waitUntil(() => receiver.deliveries.length > 0, 'the webhook delivery');
    const secret = (
      (await (await fetch(`${stack.url}/api/account/webhook-secret`, { headers: headers(alice.key) })).json()) as {
        secret: string;
      }
    ).secret;
    const delivery = receiver.deliveries[0];
    const verified = new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>) as JobObject;
    expect(verified).toMatchObject({ id: job.id, object: 'job', status: 'PROCESSED' });
    expect(delivery.headers['webhook-id']).toMatch(new RegExp(`^msg_${job.id}_`));
  });

  test('a webhook on a private address is refused without WEBHOOK_ALLOW_PRIVATE', async () => {
    const own = await TestStack.start({ env: { WEBHOOK_ALLOW_PRIVATE: 'false' } });
    try {
      const member = await own.member('ssrf');
      await own.agent(member);
      const res = await fetch(`${own.url}/v1/chat/completions`, {
        method: 'POST',
        headers: headers(member.key),
        body: JSON.stringify({
          model: 'demo-chat',
          messages: [{ role: 'user', content: 'x' }],
          async: true,
          webhook: 'http://169.254.169.254/latest/meta-data',
        }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { param: string } }).error.param).toBe('webhook');
    } finally {
      await own.stop();
    }
  });
});

test('ASYNC_JOBS=false answers 503 async_disabled, as a server without jobs does', async () => {
  const own = await TestStack.start({ env: { ASYNC_JOBS: 'false' } });
  try {
    const member = await own.member('nojobs');
    const res = await fetch(`${own.url}/v1/chat/completions`, {
      method: 'POST',
      headers: headers(member.key),
      body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'x' }], async: true }),
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('async_disabled');
  } finally {
    await own.stop();
  }
});

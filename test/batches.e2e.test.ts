import { toFile } from 'openai';
import { startDemoProvider, type DemoProvider } from '../demo-provider/server';
import type { BatchObject } from '../domain/batch-view';
import type { JobObject } from '../domain/job-view';
import { waitUntil } from './support/processes';
import { TestStack, type TestMember } from './support/test-stack';

/** Batches: inline and OpenAI's file flow, output in input order, every item a job, cancel, limits. */
let stack: TestStack;
let alice: TestMember;

beforeAll(async () => {
  stack = await TestStack.start({ env: { BATCH_CONCURRENCY: '4' } });
  alice = await stack.member('alice');
  await stack.agent(alice, { concurrency: 2 });
});
afterAll(async () => {
  try {
    await stack.recordHistories('batches');
  } finally {
    await stack.stop();
  }
});

const headers = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
const chatItem = (i: number, model = 'demo-chat') => ({
  custom_id: `req-${i}`,
  method: 'POST',
  url: '/v1/chat/completions',
  body: { model, messages: [{ role: 'user', content: `item ${i}` }] },
});

async function createBatch(body: unknown, key = alice.key, extra: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}/v1/batches`, {
    method: 'POST',
    headers: { ...headers(key), ...extra },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as BatchObject & { error: { message: string; param: string } },
  };
}

async function getBatch(id: string, key = alice.key): Promise<BatchObject> {
  return (await (await fetch(`${stack.url}/v1/batches/${id}`, { headers: headers(key) })).json()) as BatchObject;
}

async function untilEnded(id: string, key = alice.key): Promise<BatchObject> {
  for (;;) {
    const batch = await getBatch(id, key);
    if (['completed', 'failed', 'cancelled'].includes(batch.status)) return batch;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

async function fileLines(fileId: string, key = alice.key) {
  const res = await fetch(`${stack.url}/v1/files/${fileId}/content`, { headers: headers(key) });
  return (await res.text())
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as { custom_id: string; response: { status_code: number; body: unknown } | null; error: unknown },
    );
}

test('an inline batch runs every request as a job; the output file is in input order', async () => {
  const requests = [...Array.from({ length: 6 }, (_, i) => chatItem(i)), chatItem(6, 'demo-chat-error')];
  const created = await createBatch({ requests, metadata: { run: 'inline' } });
  expect(created.status).toBe(200);
  expect(created.body).toMatchObject({
    object: 'batch',
    endpoint: '/v1/chat/completions',
    request_counts: { total: 7 },
    metadata: { run: 'inline' },
  });
  expect(created.body.jobs?.map((j) => j.custom_id)).toEqual(requests.map((r) => r.custom_id));

  const done = await untilEnded(created.body.id);
  expect(done).toMatchObject({ status: 'completed', request_counts: { total: 7, completed: 6, failed: 1 } });
  expect(done.completed_at).toEqual(expect.any(Number));
  const output = await fileLines(done.output_file_id as string);
  expect(output.map((l) => l.custom_id)).toEqual(requests.slice(0, 6).map((r) => r.custom_id));
  output.forEach((line, i) => {
    expect(line.response?.status_code).toBe(200);
    expect(JSON.stringify(line.response?.body)).toContain(`item ${i}`);
  });
  const errors = await fileLines(done.error_file_id as string);
  expect(errors).toEqual([
    expect.objectContaining({ custom_id: 'req-6', error: expect.objectContaining({ code: 'upstream_error' }) }),
  ]);

  // Every item is a job of its own, with its batch.
  const job = (await (
    await fetch(`${stack.url}/v1/jobs/${done.jobs?.[0].id}`, { headers: headers(alice.key) })
  ).json()) as JobObject;
  expect(job).toMatchObject({ status: 'PROCESSED', batch_id: done.id });
});

test('OpenAI’s batch flow through the official SDK: files.create, batches.create, retrieve, files.content', async () => {
  const jsonl = Array.from({ length: 3 }, (_, i) => JSON.stringify(chatItem(i))).join('\n');
  const file = await alice.openai.files.create({
    file: await toFile(Buffer.from(jsonl), 'input.jsonl'),
    purpose: 'batch',
  });
  const created = await alice.openai.batches.create({
    input_file_id: file.id,
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
  });
  expect(created.input_file_id).toBe(file.id);
  let batch = await alice.openai.batches.retrieve(created.id);
  while (!['completed', 'failed', 'cancelled'].includes(batch.status)) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    batch = await alice.openai.batches.retrieve(created.id);
  }
  expect(batch.status).toBe('completed');
  expect(batch.request_counts).toEqual({ total: 3, completed: 3, failed: 0 });
  const content = await (await alice.openai.files.content(batch.output_file_id as string)).text();
  expect(
    content
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { custom_id: string }).custom_id),
  ).toEqual(['req-0', 'req-1', 'req-2']);
});

test('257 requests are refused before anything starts', async () => {
  const requests = Array.from({ length: 257 }, (_, i) => chatItem(i));
  const before = await stack.db.selectFrom('batches').select('id').where('member_id', '=', alice.id).execute();
  const res = await createBatch({ requests });
  expect(res.status).toBe(400);
  expect(res.body.error.param).toBe('requests');
  const after = await stack.db.selectFrom('batches').select('id').where('member_id', '=', alice.id).execute();
  expect(after.length).toBe(before.length);
});

test('every bad item is reported at once, by index and field', async () => {
  const requests = [
    chatItem(0),
    { ...chatItem(1), body: { messages: [{ role: 'user', content: 'x' }] } },
    chatItem(2),
    { ...chatItem(3), body: { model: 'demo-chat', messages: [{ role: 'wizard', content: 'x' }] } },
    { ...chatItem(4), body: { model: 'demo-chat', messages: [{ role: 'user', content: 'x' }], stream: true } },
  ];
  const res = await createBatch({ requests });
  expect(res.status).toBe(400);
  expect(res.body.error.message).toContain("requests[1].body.model: Missing required field 'model'.");
  expect(res.body.error.message).toContain('requests[3].body.messages[0].role');
  expect(res.body.error.message).toContain('requests[4].body.stream');
  expect(res.body.error.message).toMatch(/^3 of the batch's requests are invalid/);
});

test('a busy provider works through a batch in order: no item fails over', async () => {
  const member = await stack.member('busy');
  const own = await startDemoProvider();
  await stack.agent(member, { upstreams: { default: own.url }, concurrency: 2 });
  const requests = Array.from({ length: 40 }, (_, i) => chatItem(i));
  const done = await untilEnded((await createBatch({ requests }, member.key)).body.id, member.key);
  expect(done.request_counts).toEqual({ total: 40, completed: 40, failed: 0 });
  const rows = await stack.db.selectFrom('requests').select('attempts').where('member_id', '=', member.id).execute();
  expect(rows.every((r) => r.attempts === 1)).toBe(true);
  expect(own.stats().requests).toBe(40);
  await own.close();
});

test('canceling a batch ends every unfinished job CANCELED; the agent stops its running work', async () => {
  const member = await stack.member('cancel');
  const slow: DemoProvider = await startDemoProvider({ latencyMs: 20_000 });
  await stack.agent(member, { upstreams: { default: slow.url }, concurrency: 2 });
  const created = (await createBatch({ requests: Array.from({ length: 8 }, (_, i) => chatItem(i)) }, member.key)).body;
  await waitUntil(() => slow.stats().inFlight === 2, 'two items to be running');
  const res = await fetch(`${stack.url}/v1/batches/${created.id}/cancel`, {
    method: 'POST',
    headers: headers(member.key),
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as BatchObject).status).toBe('cancelling');
  const done = await untilEnded(created.id, member.key);
  expect(done).toMatchObject({ status: 'cancelled', request_counts: { total: 8, completed: 0, failed: 8 } });
  expect(new Set(done.jobs?.map((j) => j.status))).toEqual(new Set(['CANCELED']));
  await waitUntil(() => slow.stats().aborted >= 2, 'the agent to abort its upstream calls');
  const again = await fetch(`${stack.url}/v1/batches/${created.id}/cancel`, {
    method: 'POST',
    headers: headers(member.key),
  });
  expect(again.status).toBe(409);
  await slow.close();
});

test('another member gets 404 on every batch route; Idempotency-Key gives the same batch', async () => {
  const key = { 'idempotency-key': 'batch-key-1' };
  const first = (await createBatch({ requests: [chatItem(0)] }, alice.key, key)).body;
  const second = (await createBatch({ requests: [chatItem(0)] }, alice.key, key)).body;
  expect(second.id).toBe(first.id);
  const other = await createBatch({ requests: [chatItem(1)] }, alice.key, key);
  expect(other.status).toBe(422);
  const bob = await stack.member('bob');
  const res = await fetch(`${stack.url}/v1/batches/${first.id}`, { headers: headers(bob.key) });
  expect(res.status).toBe(404);
  const cancel = await fetch(`${stack.url}/v1/batches/${first.id}/cancel`, {
    method: 'POST',
    headers: headers(bob.key),
  });
  expect(cancel.status).toBe(404);
  const list = (await (await fetch(`${stack.url}/v1/batches`, { headers: headers(bob.key) })).json()) as {
    data: unknown[];
  };
  expect(list.data).toEqual([]);
  await untilEnded(first.id);
});

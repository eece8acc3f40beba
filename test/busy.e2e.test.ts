import { startDemoProvider, type DemoProvider } from '../demo-provider/server';
import { waitUntil } from './support/processes';
import { TestStack, type TestMember } from './support/test-stack';

/** Busy is not dead: a saturated provider's requests wait their turn, in order, and never fail over. */
let stack: TestStack;
let slow: DemoProvider;

beforeAll(async () => {
  stack = await TestStack.start();
  slow = await startDemoProvider({ latencyMs: 700 });
});
afterAll(async () => {
  await stack.stop();
  await slow.close();
});

const chat = (m: TestMember, content: string, url = stack.url) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${m.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content }] }),
  });

test('more sync calls than an agent has slots all get answered, one slot after another', async () => {
  const member = await stack.member('crowd');
  await stack.agent(member, { upstreams: { default: slow.url }, concurrency: 2 });
  const answers = await Promise.all(Array.from({ length: 7 }, (_, i) => chat(member, `call ${i}`)));
  expect(answers.map((r) => r.status)).toEqual(Array(7).fill(200));
  const rows = await stack.db.selectFrom('requests').selectAll().where('member_id', '=', member.id).execute();
  await waitUntil(async () => {
    const now = await stack.db.selectFrom('requests').select('status').where('member_id', '=', member.id).execute();
    return now.every((r) => r.status === 'PROCESSED');
  }, 'every row to be final');
  // None failed over: one provider, one attempt each.
  expect(rows.every((r) => r.attempts === 1)).toBe(true);
});

test('a sync call that waits past SYNC_QUEUE_MS is a 503 with Retry-After, never a 502', async () => {
  const own = await TestStack.start({ env: { SYNC_QUEUE_MS: '500', PROVIDER_PICKUP_TIMEOUT_MS: '300' } });
  try {
    const member = await own.member('impatient');
    await own.agent(member, { upstreams: { default: slow.url }, concurrency: 1 });
    const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => chat(member, `call ${i}`, own.url)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    const busy = answers.find((r) => r.status === 503) as Response;
    expect(busy.headers.get('retry-after')).toBeTruthy();
    expect(((await busy.json()) as { error: { type: string; message: string } }).error).toMatchObject({
      type: 'service_unavailable',
      message: "Every provider serving model 'demo-chat' is busy; retry shortly.",
    });
  } finally {
    await own.stop();
  }
});

test('a request waiting on a busy provider moves to one that comes online idle', async () => {
  const member = await stack.member('mover');
  const slower = await startDemoProvider({ latencyMs: 5000 });
  const busy = await stack.agent(member, { upstreams: { default: slower.url }, concurrency: 1 });
  const first = chat(member, 'holding the only slot');
  await waitUntil(() => busy.activeTasks === 1, 'the busy agent to hold its task');
  const second = chat(member, 'waiting in line');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const idle = await stack.agent(member, { concurrency: 1 });
  const res = await second;
  expect(res.status).toBe(200);
  const requestId = res.headers.get('x-request-id') as string;
  await stack.temporal.client.workflow.getHandle(`chat-${requestId}`).result();
  const row = await stack.db.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
  expect(row.provider_id).toBe(idle.id);
  expect(row.attempts).toBe(2);
  expect((await first).status).toBe(200);
  await slower.close();
});

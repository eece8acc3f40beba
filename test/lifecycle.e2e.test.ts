import { startDemoProvider, type DemoProvider } from '../demo-provider/server';
import { waitUntil } from './support/processes';
import { TestStack, type TestMember } from './support/test-stack';

/** How requests end when the API stops, and when the provider under them dies. */
let stack: TestStack;
let slowDemo: DemoProvider;
let alice: TestMember;

beforeAll(async () => {
  stack = await TestStack.start();
  slowDemo = await startDemoProvider({ latencyMs: 1500 });
  alice = await stack.member('alice');
  await stack.agent(alice, { upstreams: { default: slowDemo.url } });
});
afterAll(async () => {
  await stack.stop();
  await slowDemo.close();
});

const chatOn = (url: string, key: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'drain me' }] }),
  });

async function rowsOf(memberId: string) {
  return stack.db.selectFrom('requests').selectAll().where('member_id', '=', memberId).execute();
}

test('stopping an API lets requests in flight finish, and refuses new ones with 503', async () => {
  const second = await stack.secondApi();
  const before = slowDemo.stats().requests;
  const pending = chatOn(second.url, alice.key);
  await waitUntil(() => slowDemo.stats().requests > before, 'the request to reach the model');
  const stopping = second.stop();
  // The listening socket is closed at once: a new connection is refused.
  await expect(chatOn(second.url, alice.key)).rejects.toThrow();
  const res = await pending;
  expect(res.status).toBe(200);
  expect(((await res.json()) as { object: string }).object).toBe('chat.completion');
  await stopping;
});

test('a request still running when the drain period ends is answered 503 and its work canceled', async () => {
  const second = await stack.secondApi({ API_DRAIN_MS: '300' });
  const before = slowDemo.stats().requests;
  const pending = chatOn(second.url, alice.key);
  await waitUntil(() => slowDemo.stats().requests > before, 'the request to reach the model');
  await second.stop();
  const res = await pending;
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('1');
  expect(((await res.json()) as { error: { type: string } }).error.type).toBe('service_unavailable');
  const requestId = res.headers.get('x-request-id') as string;
  const handle = stack.temporal.client.workflow.getHandle(`chat-${requestId}`);
  await expect(handle.result()).rejects.toThrow();
  expect((await handle.describe()).status.name).toBe('CANCELLED');
});

test('a provider that dies under a request leaves a final row, never PROCESSING', async () => {
  const bob = await stack.member('bob');
  const agent = await stack.spawnAgent(bob, 'doomed', slowDemo.url);
  const before = slowDemo.stats().requests;
  const pending = chatOn(stack.url, bob.key);
  await waitUntil(() => slowDemo.stats().requests > before, 'the request to reach the model');
  await agent.kill();
  const res = await pending;
  expect(res.status).toBe(502);
  await waitUntil(async () => (await rowsOf(bob.id)).every((r) => r.status !== 'PROCESSING'), 'the final row');
  expect((await rowsOf(bob.id)).map((r) => [r.status, r.error_type])).toEqual([['FAILED', 'upstream_error']]);
});

test('an upstream that dies under a request leaves a final row too', async () => {
  const carol = await stack.member('carol');
  const doomed = await startDemoProvider({ latencyMs: 1500 });
  await stack.agent(carol, { upstreams: { default: doomed.url } });
  const before = doomed.stats().requests;
  const pending = chatOn(stack.url, carol.key);
  await waitUntil(() => doomed.stats().requests > before, 'the request to reach the model');
  await doomed.close();
  const res = await pending;
  expect(res.status).toBeGreaterThanOrEqual(500);
  await waitUntil(async () => (await rowsOf(carol.id)).every((r) => r.status !== 'PROCESSING'), 'the final row');
  expect((await rowsOf(carol.id))[0].status).toBe('FAILED');
});

import type { InferenceInput, InferenceOutput } from '../workflows/inference-contract';
import { TestStack, type TestMember } from './support/test-stack';

/** Any body the API accepts must work: large bodies and answers travel by reference, not in Temporal payloads. */
let stack: TestStack;
let alice: TestMember;

beforeAll(async () => {
  stack = await TestStack.start();
  alice = await stack.member('alice');
  await stack.agent(alice);
});
afterAll(() => stack.stop());

const LIMIT = 25 * 1024 * 1024;

/** A chat body of exactly `bytes` bytes. */
function chatBodyOf(bytes: number): string {
  const empty = JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: '' }] });
  const body = JSON.stringify({
    model: 'demo-chat',
    messages: [{ role: 'user', content: 'x'.repeat(bytes - empty.length) }],
  });
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

const post = (path: string, body: string) =>
  fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice.key}`, 'content-type': 'application/json' },
    body,
  });

async function startedInput(workflowId: string): Promise<{ input: InferenceInput; payloadBytes: number }> {
  const history = await stack.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events?.[0].workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const data = payload?.data as Uint8Array;
  return { input: JSON.parse(Buffer.from(data).toString('utf8')) as InferenceInput, payloadBytes: data.length };
}

test('a chat body at the 25 MB limit is answered; its workflow carries a reference, not the body', async () => {
  const res = await post('/v1/chat/completions', chatBodyOf(LIMIT));
  expect(res.status).toBe(200);
  const answer = (await res.json()) as { choices: { message: { content: string } }[] };
  expect(answer.choices[0].message.content).toContain('Demo reply to: xxxx');
  const { input, payloadBytes } = await startedInput(`chat-${res.headers.get('x-request-id')}`);
  expect(input.body).toBeUndefined();
  expect(input.bodyRef).toMatchObject({ bytes: expect.any(Number) });
  expect(payloadBytes).toBeLessThan(16 * 1024);
}, 60_000);

test('one byte over the limit is a 413', async () => {
  const res = await post('/v1/chat/completions', chatBodyOf(LIMIT + 1));
  expect(res.status).toBe(413);
  expect(((await res.json()) as { error: { type: string } }).error.type).toBe('request_too_large');
}, 60_000);

test('a large answer is stored and referenced; the client still gets all of it', async () => {
  const prompt = Array.from({ length: 2048 }, (_, i) => `prompt number ${i} with a dozen words to echo back in full`);
  const res = await post('/v1/completions', JSON.stringify({ model: 'demo-chat', prompt }));
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(Buffer.byteLength(text)).toBeGreaterThan(256 * 1024);
  expect((JSON.parse(text) as { choices: unknown[] }).choices).toHaveLength(2048);
  const handle = stack.temporal.client.workflow.getHandle(`completion-${res.headers.get('x-request-id')}`);
  const output = (await handle.result()) as InferenceOutput;
  expect(output.body).toBeUndefined();
  expect(output.bodyRef?.bytes).toBe(Buffer.byteLength(text));
}, 60_000);

import OpenAI from 'openai';
import { TestStack, type TestMember } from './support/test-stack';

let stack: TestStack;
let alice: TestMember;

beforeAll(async () => {
  stack = await TestStack.start();
  alice = await stack.member('alice');
  await stack.agent(alice);
});
afterAll(async () => {
  try {
    await stack.recordHistories('errors');
  } finally {
    await stack.stop();
  }
});

const chat = (client: OpenAI, model = 'demo-chat') =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

async function post(path: string, body: string, key: string | null = alice.key) {
  const res = await fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body,
  });
  return { status: res.status, body: (await res.json()) as { error: { type: string; message: string } } };
}

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

test('a missing key is 401 not_authenticated', async () => {
  const res = await post('/v1/chat/completions', '{}', null);
  expect(res).toEqual({
    status: 401,
    body: {
      error: {
        type: 'not_authenticated',
        message: 'Authentication credentials were not provided.',
        param: null,
        code: null,
      },
    },
  });
});

test('a wrong key is 401 through the SDK', async () => {
  const err = await rejection(chat(stack.openai('ic_not-a-real-key')));
  expect(err.status).toBe(401);
  expect(err.type).toBe('not_authenticated');
});

test('malformed JSON is 400 in the OpenAI envelope', async () => {
  const res = await post('/v1/chat/completions', '{"model": "demo-chat", "messages": [');
  expect(res.status).toBe(400);
  expect(res.body.error.type).toBe('invalid_request_error');
});

test.each([
  ['model', { messages: [{ role: 'user', content: 'hi' }] }],
  ['messages', { model: 'demo-chat' }],
])('a body without %s is 400 naming the field', async (field, body) => {
  const res = await post('/v1/chat/completions', JSON.stringify(body));
  expect(res).toEqual({
    status: 400,
    body: {
      error: {
        type: 'invalid_request_error',
        message: `Missing required field '${field}'.`,
        param: field,
        code: 'missing_required_parameter',
      },
    },
  });
});

test('a body that is not an object, or has a wrongly typed field, is 400', async () => {
  expect((await post('/v1/chat/completions', '[1,2]')).status).toBe(400);
  expect((await post('/v1/chat/completions', '{"model": 5, "messages": []}')).status).toBe(400);
  expect((await post('/v1/completions', '{"model": "demo-chat"}')).body.error.message).toBe(
    "Missing required field 'prompt'.",
  );
});

test('an unknown model is 404 no_provider with the seed message', async () => {
  const err = await rejection(chat(alice.openai, 'qwen3-8b'));
  expect(err.status).toBe(404);
  expect(err.type).toBe('no_provider');
  expect(err.message).toContain("No online provider serving model 'qwen3-8b' for this user.");
});

test("another member's private provider is not theirs to use", async () => {
  const bob = await stack.member('bob');
  const err = await rejection(chat(bob.openai));
  expect(err.status).toBe(404);
  expect(err.type).toBe('no_provider');
  const models = [];
  for await (const m of bob.openai.models.list()) models.push(m);
  expect(models).toEqual([]);
});

test('a shared provider serves other members too', async () => {
  const carol = await stack.member('carol');
  const dave = await stack.member('dave');
  await stack.agent(carol, {
    shared: true,
    models: [{ id: 'carol-shared-chat', service_type: 'llm' }],
    upstreams: { default: stack.demo.url },
  });
  const models = [];
  for await (const m of dave.openai.models.list()) models.push(m.id);
  expect(models).toEqual(['carol-shared-chat']);
});

test('an upstream failure is 502 upstream_error', async () => {
  const err = await rejection(chat(alice.openai, 'demo-chat-error'));
  expect(err.status).toBe(502);
  expect(err.type).toBe('upstream_error');
  expect(err.message).toContain('demo upstream failure');
});

test('a chat request to a non-llm model is refused and never reaches it', async () => {
  const before = stack.demo.stats().requests;
  const err = await rejection(chat(alice.openai, 'demo-image'));
  expect(err.status).toBe(400);
  expect(err.type).toBe('wrong_service_type');
  expect(stack.demo.stats().requests).toBe(before);
});

test('features the model does not advertise are refused before it sees the request', async () => {
  const before = stack.demo.stats().requests;
  const vision = await post(
    '/v1/chat/completions',
    JSON.stringify({
      model: 'demo-chat',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }] }],
    }),
  );
  expect(vision).toEqual({
    status: 400,
    body: {
      error: {
        type: 'invalid_request_error',
        message: "Model 'demo-chat' does not support 'vision'.",
        param: null,
        code: null,
      },
    },
  });
  const tools = await post(
    '/v1/chat/completions',
    JSON.stringify({
      model: 'demo-chat-error',
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
    }),
  );
  expect(tools.body.error.message).toBe("Model 'demo-chat-error' does not support 'tool-use'.");
  expect(stack.demo.stats().requests).toBe(before);
});

test('an unknown route is 404 in the envelope, and bodies over the limit are 413', async () => {
  const res = await fetch(`${stack.url}/v1/nothing-here`, { headers: { authorization: `Bearer ${alice.key}` } });
  expect(res.status).toBe(404);
  expect(((await res.json()) as { error: { type: string } }).error.type).toBe('not_found');
  const big = 'x'.repeat(26 * 1024 * 1024);
  const tooLarge = await post(
    '/v1/chat/completions',
    JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: big }] }),
  );
  expect(tooLarge.status).toBe(413);
  expect(tooLarge.body.error.type).toBe('request_too_large');
});

test('every failed request still leaves a record', async () => {
  await rejection(chat(alice.openai, 'no-such-model'));
  const row = await stack.db
    .selectFrom('requests')
    .selectAll()
    .where('member_id', '=', alice.id)
    .where('model', '=', 'no-such-model')
    .executeTakeFirstOrThrow();
  expect(row).toMatchObject({ status: 'FAILED', error_type: 'no_provider' });
});

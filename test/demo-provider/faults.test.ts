/** Faults of the demo provider (test fixture): error model, disconnects, latency, bad input. */
import type { DemoProvider } from '../../demo-provider/server';
import { startDemoProvider } from '../../demo-provider/server';
import { expectError, postChat, postJson } from './demo-provider.helpers';

let provider: DemoProvider;
beforeAll(async () => {
  provider = await startDemoProvider();
});
afterAll(() => provider.close());

const chat = (content: string, extra?: Record<string, unknown>): Promise<Response> =>
  postChat(provider.url, content, extra);

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

test('the error model answers 500 with the OpenAI envelope', async () => {
  const res = await postJson(provider.url, '/v1/chat/completions', {
    model: 'demo-chat-error',
    messages: [{ role: 'user', content: 'hi' }],
  });
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ error: { message: 'demo upstream failure', type: 'server_error' } });
});

test('the slow model stops when the client disconnects and counts the abort', async () => {
  const before = provider.stats();
  const controller = new AbortController();
  const pending = postJson(
    provider.url,
    '/v1/chat/completions',
    { model: 'demo-chat-slow', messages: [{ role: 'user', content: 'hi' }] },
    controller.signal,
  );
  while (provider.stats().inFlight === 0) await tick();
  controller.abort();
  await expect(pending).rejects.toThrow();
  while (provider.stats().inFlight > 0) await tick();
  expect(provider.stats().aborted).toBe(before.aborted + 1);
});

test('a client leaving mid-stream stops the stream and counts as aborted', async () => {
  const paced = await startDemoProvider({ tokensPerSecond: 20 });
  try {
    const controller = new AbortController();
    const res = await postJson(
      paced.url,
      '/v1/chat/completions',
      { model: 'demo-chat', messages: [{ role: 'user', content: 'a long answer please' }], stream: true },
      controller.signal,
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    while (paced.stats().inFlight > 0) await tick();
    expect(paced.stats()).toEqual({ requests: 1, aborted: 1, inFlight: 0 });
  } finally {
    await paced.close();
  }
});

test('latencyMs delays the first byte', async () => {
  const slow = await startDemoProvider({ latencyMs: 150 });
  try {
    const started = Date.now();
    const res = await fetch(`${slow.url}/v1/models`);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  } finally {
    await slow.close();
  }
});

test('bad input is a 400, unknown model and path a 404', async () => {
  const malformed = await fetch(`${provider.url}/v1/chat/completions`, { method: 'POST', body: '{nope' });
  await expectError(malformed, 400, 'invalid_request_error');
  await expectError(await postJson(provider.url, '/v1/chat/completions', { model: 'demo-chat' }), 400);
  await expectError(await postJson(provider.url, '/v1/chat/completions', { messages: [] }), 400);
  await expectError(await chat('x', { max_tokens: -1 }), 400);
  await expectError(await postJson(provider.url, '/v1/completions', { model: 'demo-chat', prompt: 3 }), 400);
  await expectError(
    await postJson(provider.url, '/v1/chat/completions', { model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
    404,
  );
  await expectError(
    await postJson(provider.url, '/v1/chat/completions', {
      model: 'demo-image',
      messages: [{ role: 'user', content: 'x' }],
    }),
    400,
  );
  await expectError(await fetch(`${provider.url}/v1/nothing-here`), 404);
});

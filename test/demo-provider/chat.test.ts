/** Text endpoints of the demo provider (test fixture): shapes, determinism, streaming, tools. */
import type { DemoProvider } from '../../demo-provider/server';
import { DEMO_MODELS, startDemoProvider } from '../../demo-provider/server';
import { postChat, postJson, readSse } from './demo-provider.helpers';

interface ChatCompletion {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: string; content: string | null; tool_calls?: unknown[] };
    finish_reason: string;
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

let provider: DemoProvider;
beforeAll(async () => {
  provider = await startDemoProvider();
});
afterAll(() => provider.close());

const chat = (content: string, extra?: Record<string, unknown>): Promise<Response> =>
  postChat(provider.url, content, extra);

test('lists the catalogue in the OpenAI shape with capability fields', async () => {
  const res = await fetch(`${provider.url}/v1/models`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { object: string; data: Record<string, unknown>[] };
  expect(body.object).toBe('list');
  expect(body.data.map((m) => m.id)).toEqual(DEMO_MODELS.map((m) => m.id));
  const tts = body.data.find((m) => m.id === 'demo-tts');
  expect(tts).toMatchObject({ object: 'model', service_type: 'tts', supported_features: ['streaming'] });
  expect(tts?.owned_by).toMatch(/fixture/);
  expect(tts?.voices).toEqual([
    { id: 'alloy', name: 'Alloy' },
    { id: 'nova', name: 'Nova' },
  ]);
});

test('chat completion is OpenAI-shaped and byte-identical for identical input', async () => {
  const a = await chat('Tell me about rivers');
  expect(a.status).toBe(200);
  expect(a.headers.get('content-type')).toBe('application/json');
  const text = await a.text();
  expect(await (await chat('Tell me about rivers')).text()).toBe(text);
  const body = JSON.parse(text) as ChatCompletion;
  expect(body.id).toMatch(/^chatcmpl-/);
  expect(body.object).toBe('chat.completion');
  expect(Number.isInteger(body.created)).toBe(true);
  expect(body.choices[0].message.role).toBe('assistant');
  expect(body.choices[0].message.content).toMatch(/^Demo reply to: Tell me about rivers/);
  expect(body.choices[0].finish_reason).toBe('stop');
  expect(body.usage.prompt_tokens).toBe(4);
  expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  const other = (await (await chat('Tell me about mountains')).json()) as ChatCompletion;
  expect(other.choices[0].message.content).not.toBe(body.choices[0].message.content);
  expect(other.id).not.toBe(body.id);
});

test('max_tokens truncates the reply', async () => {
  const body = (await (await chat('Tell me about rivers', { max_tokens: 2 })).json()) as ChatCompletion;
  expect(body.choices[0].message.content).toBe('Demo reply');
  expect(body.choices[0].finish_reason).toBe('length');
  expect(body.usage.completion_tokens).toBe(2);
});

test('streams role, one chunk per token, finish, usage, then [DONE]', async () => {
  const plain = (await (await chat('stream me')).json()) as ChatCompletion;
  const res = await chat('stream me', { stream: true, stream_options: { include_usage: true } });
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  expect(res.headers.get('content-length')).toBeNull();
  const { events } = await readSse(res);
  expect(events[events.length - 1]).toBe('[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
  expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
  expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === plain.id)).toBe(true);
  const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  expect(content).toBe(plain.choices[0].message.content);
  expect(chunks.length).toBe(plain.usage.completion_tokens + 3);
  expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
  expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: plain.usage });
});

test('tokensPerSecond paces the stream so chunks arrive separately', async () => {
  const paced = await startDemoProvider({ tokensPerSecond: 100 });
  try {
    const started = Date.now();
    const res = await postChat(paced.url, 'pace', { stream: true });
    const { events, reads } = await readSse(res);
    const tokens = events.length - 3;
    expect(reads).toBeGreaterThan(tokens / 2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(tokens * 10 - 15);
  } finally {
    await paced.close();
  }
});

test('offers a tool call when tools are given, and answers the tool result in text', async () => {
  const tools = [
    {
      type: 'function',
      function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
    },
  ];
  const res = await chat('weather in Paris?', { tools });
  const body = (await res.json()) as ChatCompletion;
  expect(body.choices[0].finish_reason).toBe('tool_calls');
  const call = body.choices[0].message.tool_calls?.[0] as { id: string; function: { name: string; arguments: string } };
  expect(call.function.name).toBe('get_weather');
  expect(typeof JSON.parse(call.function.arguments).city).toBe('string');
  const followUp = await postJson(provider.url, '/v1/chat/completions', {
    model: 'demo-chat',
    tools,
    messages: [
      { role: 'user', content: 'weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'tool', tool_call_id: call.id, content: 'sunny' },
    ],
  });
  expect(((await followUp.json()) as ChatCompletion).choices[0].finish_reason).toBe('stop');
});

test('legacy completions answer one choice per prompt, buffered and streamed', async () => {
  const res = await postJson(provider.url, '/v1/completions', { model: 'demo-chat', prompt: ['one', 'two'] });
  const body = (await res.json()) as { object: string; choices: { text: string; index: number }[] };
  expect(body.object).toBe('text_completion');
  expect(body.choices.map((c) => c.index)).toEqual([0, 1]);
  expect(body.choices[0].text).not.toBe(body.choices[1].text);
  const single = await postJson(provider.url, '/v1/completions', { model: 'demo-chat', prompt: 'one' });
  const singleText = ((await single.json()) as typeof body).choices[0].text;
  const streamed = await postJson(provider.url, '/v1/completions', { model: 'demo-chat', prompt: 'one', stream: true });
  const { events } = await readSse(streamed);
  expect(events[events.length - 1]).toBe('[DONE]');
  const text = events
    .slice(0, -1)
    .map((e) => JSON.parse(e).choices[0].text)
    .join('');
  expect(text).toBe(singleText);
});

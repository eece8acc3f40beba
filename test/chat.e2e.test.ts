import { startRecordingUpstream } from './support/recording-upstream';
import { TestStack, type TestMember } from './support/test-stack';

let stack: TestStack;
let alice: TestMember;

beforeAll(async () => {
  stack = await TestStack.start({ demo: { tokensPerSecond: 200 } });
  alice = await stack.member('alice');
  await stack.agent(alice);
});
afterAll(async () => {
  try {
    await stack.recordHistories('chat');
  } finally {
    await stack.stop();
  }
});

test('a buffered chat completion runs as a workflow through the agent', async () => {
  const res = await alice.openai.chat.completions
    .create({ model: 'demo-chat', messages: [{ role: 'user', content: 'Say hello.' }], temperature: 0.2 })
    .withResponse();
  expect(res.data.object).toBe('chat.completion');
  expect(res.data.choices[0].message.content).toContain('Say hello.');
  expect(res.data.usage?.total_tokens).toBeGreaterThan(0);

  const requestId = res.response.headers.get('x-request-id') as string;
  // The answer is handed over as soon as Temporal accepts it; the workflow then records it.
  const handle = stack.temporal.client.workflow.getHandle(`chat-${requestId}`);
  expect((await handle.result()).body).toEqual(res.data);
  const description = await handle.describe();
  expect(description.status.name).toBe('COMPLETED');
  expect(description.searchAttributes.InferenceModel).toEqual(['demo-chat']);
  expect(description.searchAttributes.InferenceMember).toEqual([alice.name]);
  // No patch marker and no search-attribute upsert in a new run: each would cost every request.
  const events = (await handle.fetchHistory()).events ?? [];
  expect(events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes)).toHaveLength(0);
  const markers = events.map((e) => e.markerRecordedEventAttributes?.markerName).filter(Boolean);
  expect(markers).toEqual(['core_local_activity']);

  const row = await stack.db.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
  expect(row).toMatchObject({
    status: 'PROCESSED',
    kind: 'chat',
    model: 'demo-chat',
    member_id: alice.id,
    attempts: 1,
  });
  expect(row.usage).toMatchObject({ total_tokens: res.data.usage?.total_tokens });
  expect(row.latency_ms).not.toBeNull();
});

test('the body reaches the local server unchanged, minus the platform fields', async () => {
  const upstream = await startRecordingUpstream();
  await stack.agent(alice, {
    upstreams: { default: upstream.url },
    models: [{ id: 'recorder', service_type: 'llm', supported_features: ['tool-use'] }],
  });
  try {
    const body = {
      model: 'recorder',
      messages: [{ role: 'user' as const, content: 'echo' }],
      temperature: 0.3,
      tools: [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object' } } }],
      visibility: 'PUBLIC',
      collection: 'Album',
    };
    const res = await alice.openai.chat.completions.create(body);
    expect(res.choices[0].message.content).toBe('recorded');
    const { visibility, collection, ...forwarded } = body;
    expect(upstream.bodies).toEqual([forwarded]);
    expect([visibility, collection]).toEqual(['PUBLIC', 'Album']);
  } finally {
    await upstream.close();
  }
});

test('streaming chat relays chunks as they arrive and ends with [DONE]', async () => {
  const stream = await alice.openai.chat.completions.create({
    model: 'demo-chat',
    messages: [{ role: 'user', content: 'Tell me a long story about the sea and the sky and the wind' }],
    stream: true,
    max_tokens: 40,
  });
  const arrivals: number[] = [];
  let text = '';
  for await (const chunk of stream) {
    arrivals.push(Date.now());
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  expect(arrivals.length).toBeGreaterThan(10);
  expect(text.length).toBeGreaterThan(0);
  // At 200 tokens/s the chunks span well over 100 ms: they were not buffered until the end.
  expect(arrivals[arrivals.length - 1] - arrivals[0]).toBeGreaterThan(100);
  const spacing = arrivals.slice(1).map((t, i) => t - arrivals[i]);
  expect(spacing.filter((gap) => gap >= 2).length).toBeGreaterThan(5);
});

test('the raw SSE body ends with data: [DONE]', async () => {
  const res = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'hi' }], stream: true }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const body = await res.text();
  expect(body.trim().endsWith('data: [DONE]')).toBe(true);
});

test('legacy completions, buffered and streamed', async () => {
  const res = await alice.openai.completions.create({ model: 'demo-chat', prompt: 'Once upon a time' });
  expect(res.object).toBe('text_completion');
  expect(res.choices[0].text.length).toBeGreaterThan(0);

  const stream = await alice.openai.completions.create({
    model: 'demo-chat',
    prompt: 'Once upon a time',
    stream: true,
  });
  let chunks = 0;
  for await (const chunk of stream) if (chunk.choices[0]?.text) chunks += 1;
  expect(chunks).toBeGreaterThan(1);
});

test('models.list shows online providers with capability fields', async () => {
  const models = [];
  for await (const model of alice.openai.models.list()) models.push(model);
  const chat = models.find((m) => m.id === 'demo-chat') as unknown as Record<string, unknown>;
  expect(chat).toMatchObject({
    object: 'model',
    service_type: 'llm',
    input_modalities: ['text'],
    output_modalities: ['text'],
    context_length: 8192,
  });
  expect(chat.supported_features).toContain('streaming');
  expect(models.find((m) => m.id === 'demo-stt')).toMatchObject({ service_type: 'stt' });
  expect(new Set(models.map((m) => m.id)).size).toBe(models.length);
});

test('a streamed answer crosses API replicas: agent on one, client on another', async () => {
  const second = await stack.secondApi();
  const client = stack.openai(alice.key, second.url);
  const stream = await client.chat.completions.create({
    model: 'demo-chat',
    messages: [{ role: 'user', content: 'relay me' }],
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).toContain('relay me');
});

test('a buffered answer crosses API replicas too', async () => {
  const second = await stack.secondApi();
  const res = await stack.openai(alice.key, second.url).chat.completions.create({
    model: 'demo-chat',
    messages: [{ role: 'user', content: 'relay the buffered answer' }],
  });
  expect(res.choices[0].message.content).toContain('relay the buffered answer');
});

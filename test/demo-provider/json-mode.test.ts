/** The demo provider (test fixture) answers prompts that ask for JSON with JSON of the asked shape. */
import Ajv from 'ajv';
import { countOf, parseLoose, topicOf } from '../../demo-provider/json-reply';
import type { DemoProvider } from '../../demo-provider/server';
import { startDemoProvider } from '../../demo-provider/server';
import { postChat, postJson, readSse } from './demo-provider.helpers';

interface ChatCompletion {
  id: string;
  choices: { message: { content: string | null }; finish_reason: string }[];
  usage: { completion_tokens: number };
}

let provider: DemoProvider;
beforeAll(async () => {
  provider = await startDemoProvider();
});
afterAll(() => provider.close());

const PLAN = 'List 4 blog section titles about distributed AI. Return JSON: {"titles":["..."]}';

async function reply(content: string, extra?: Record<string, unknown>): Promise<ChatCompletion> {
  const res = await postChat(provider.url, content, extra);
  expect(res.status).toBe(200);
  return (await res.json()) as ChatCompletion;
}

const contentOf = async (content: string, extra?: Record<string, unknown>): Promise<string> =>
  (await reply(content, extra)).choices[0].message.content as string;

test("the seed's plan prompt gets {titles: [4 strings]} that mention the topic", async () => {
  const body = await reply(PLAN);
  const content = body.choices[0].message.content as string;
  const value = JSON.parse(content) as { titles: string[] };
  expect(Object.keys(value)).toEqual(['titles']);
  expect(value.titles).toHaveLength(4);
  for (const title of value.titles) {
    expect(typeof title).toBe('string');
    expect(title).toContain('distributed AI');
  }
  expect(new Set(value.titles).size).toBe(4);
  expect(body.choices[0].finish_reason).toBe('stop');
  expect(body.usage.completion_tokens).toBe(content.split(' ').length);
});

test('JSON answers are deterministic per request and differ between prompts', async () => {
  const a = await postChat(provider.url, PLAN);
  const text = await a.text();
  expect(await (await postChat(provider.url, PLAN)).text()).toBe(text);
  const other = await contentOf('List 4 blog section titles about edge caching. Return JSON: {"titles":["..."]}');
  expect(JSON.parse(other).titles.join()).toContain('edge caching');
  expect(other).not.toBe((JSON.parse(text) as ChatCompletion).choices[0].message.content);
});

test('nested shapes: objects in arrays, arrays in objects, and scalar types are followed', async () => {
  const content = await contentOf(
    'Plan 2 sections about tide pools. Return JSON: {"sections": [{"title": "...", "bullets": ["..."], "minutes": 5, "optional": false, "note": null}], "summary": "..."}',
  );
  const value = JSON.parse(content) as {
    sections: { title: string; bullets: string[]; minutes: number; optional: boolean; note: null }[];
    summary: string;
  };
  expect(Object.keys(value)).toEqual(['sections', 'summary']);
  expect(value.sections).toHaveLength(2);
  for (const section of value.sections) {
    expect(Object.keys(section)).toEqual(['title', 'bullets', 'minutes', 'optional', 'note']);
    expect(section.title).toContain('tide pools');
    expect(section.bullets).toHaveLength(2);
    expect(Number.isInteger(section.minutes)).toBe(true);
    expect(typeof section.optional).toBe('boolean');
    expect(section.note).toBeNull();
  }
  expect(typeof value.summary).toBe('string');
});

test('loose examples parse: unquoted keys, single quotes, ellipses, type words, trailing commas', () => {
  expect(parseLoose('{"titles":["..."]}')).toEqual({ titles: ['...'] });
  expect(parseLoose('{"lyrics": "...", "brief": "..."}')).toEqual({ lyrics: '...', brief: '...' });
  expect(parseLoose('{scenes: [...]}')).toEqual({ scenes: [] });
  expect(parseLoose('["...", ...]')).toEqual(['...']);
  expect(parseLoose("{'name': 'x', count: number, ok: boolean, tags: [string, …],}")).toEqual({
    name: 'x',
    count: 0,
    ok: false,
    tags: ['...'],
  });
  expect(parseLoose('[citation needed]')).toBeUndefined();
  expect(parseLoose('{"a": 1')).toBeUndefined();
});

test('the count is the first integer outside the example, within 1..20, else 3', () => {
  expect(countOf('List 4 blog section titles about distributed AI.')).toBe(4);
  expect(countOf('Write 40 lines')).toBe(20);
  expect(countOf('Write 0 lines')).toBe(1);
  expect(countOf('A 3D model in 1024x1024, version 2.5 then 7 items')).toBe(7);
  expect(countOf('Some titles')).toBe(3);
  expect(topicOf('Write 3 lines about the history of tea. Return JSON')).toEqual(['history', 'of', 'tea']);
  expect(topicOf('Name some rivers in France. Return JSON')).toEqual(['Name', 'rivers', 'France']);
});

test('a bare list example gets a bare list; placeholders without a count get 3 items', async () => {
  const list = JSON.parse(await contentOf('Give me slogans about rain. Return JSON: ["...", ...]')) as string[];
  expect(list).toHaveLength(3);
  expect(list.every((s) => typeof s === 'string' && s.includes('rain'))).toBe(true);
});

test('the ask may be in a system message; the count and topic still come from the user', async () => {
  const res = await postJson(provider.url, '/v1/chat/completions', {
    model: 'demo-chat',
    messages: [
      { role: 'system', content: 'Always return JSON: {"ideas": ["..."]}' },
      { role: 'user', content: 'Give me 5 ideas about kites' },
    ],
  });
  const content = ((await res.json()) as ChatCompletion).choices[0].message.content as string;
  const ideas = (JSON.parse(content) as { ideas: string[] }).ideas;
  expect(ideas).toHaveLength(5);
  expect(ideas[0]).toContain('kites');
});

test('response_format json_object and json_schema are honoured', async () => {
  const plain = JSON.parse(await contentOf('Say hi about owls', { response_format: { type: 'json_object' } }));
  expect(Object.keys(plain)).toEqual(['reply']);
  expect(plain.reply).toContain('owls');

  const schema = {
    type: 'object',
    required: ['names', 'age', 'kind'],
    properties: {
      names: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2 },
      age: { type: 'integer', minimum: 3, maximum: 5 },
      kind: { enum: ['a', 'b'] },
      nested: { type: 'object', properties: { ok: { type: 'boolean' } } },
    },
  };
  const value: unknown = JSON.parse(
    await contentOf('List 6 names about cats', {
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema } },
    }),
  );
  const validate = new Ajv().compile(schema);
  expect(validate(value)).toBe(true);
  expect((value as { names: string[] }).names).toHaveLength(2);
});

test('streamed JSON joins to the buffered answer; max_tokens truncates it', async () => {
  const buffered = await contentOf(PLAN);
  const { events } = await readSse(await postChat(provider.url, PLAN, { stream: true }));
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
  expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe(buffered);
  expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');

  const cut = await reply(PLAN, { max_tokens: 2 });
  expect(cut.choices[0].finish_reason).toBe('length');
  expect(cut.choices[0].message.content).toBe(buffered.split(' ').slice(0, 2).join(' '));
});

test('legacy completions answer JSON for a JSON prompt too', async () => {
  const res = await postJson(provider.url, '/v1/completions', { model: 'demo-chat', prompt: PLAN });
  const text = ((await res.json()) as { choices: { text: string }[] }).choices[0].text;
  expect(JSON.parse(text).titles).toHaveLength(4);
});

test('prompts that do not ask for JSON keep the echo reply, byte for byte', async () => {
  // Both captured before JSON mode existed.
  expect(await contentOf('Tell me about rivers')).toBe(
    'Demo reply to: Tell me about rivers ember ember falcon delta garden.',
  );
  expect(await contentOf('Tell me about JSON')).toBe('Demo reply to: Tell me about JSON zephyr bright lantern umbra.');
  for (const prompt of ['Explain {braces} and [brackets]', 'Return a list [a, b]']) {
    expect(await contentOf(prompt)).toMatch(/^Demo reply to: /);
  }
  // With tools offered, the tool call still wins.
  const tools = [{ type: 'function', function: { name: 'f', parameters: { properties: { a: { type: 'string' } } } } }];
  const withTools = await reply(PLAN, { tools });
  expect(withTools.choices[0].finish_reason).toBe('tool_calls');
});

import OpenAI, { toFile } from 'openai';
import { startRecordingUpstream, type RecordingUpstream } from './support/recording-upstream';
import { PNG_1X1, wav } from './support/media-files';
import { TestStack, type TestMember } from './support/test-stack';

/** The contract OpenAI clients expect: strict validation, nulls as absent, full error envelopes. */
let stack: TestStack;
let alice: TestMember;
let recorder: RecordingUpstream;

beforeAll(async () => {
  stack = await TestStack.start();
  alice = await stack.member('alice');
  await stack.agent(alice);
  recorder = await startRecordingUpstream();
  await stack.agent(alice, {
    upstreams: { default: recorder.url },
    models: [{ id: 'recorder', service_type: 'llm', supported_features: ['tool-use'] }],
  });
});
afterAll(async () => {
  await stack.stop();
  await recorder.close();
});

const headers = (key: string | null = alice.key) => ({
  'content-type': 'application/json',
  ...(key ? { authorization: `Bearer ${key}` } : {}),
});
type Envelope = { error: { message: string; type: string; param: string | null; code: string | null } };

async function post(path: string, body: unknown, init: RequestInit = {}) {
  const res = await fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: headers(),
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  const text = await res.text();
  return { res, status: res.status, text, json: () => JSON.parse(text) as Envelope };
}

const chat = (extra: Record<string, unknown>) => ({
  model: 'demo-chat',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

describe('validation as strict as OpenAI on the fields it defines', () => {
  test.each([
    ['n', chat({ n: -1 })],
    ['n', chat({ n: '2' })],
    ['tools', chat({ tools: 'x' })],
    ['tools[0].function', chat({ tools: [{ type: 'function' }] })],
    ['max_tokens', chat({ max_tokens: 0 })],
    ['temperature', chat({ temperature: 3 })],
    ['messages[0].role', chat({ messages: [{ role: 'wizard', content: 'x' }] })],
    ['model', chat({ model: 'bad\u0000model' })],
    ['model', chat({ model: 'x'.repeat(10000) })],
  ])('%s is checked, and the 400 names it', async (param, body) => {
    const res = await post('/v1/chat/completions', body);
    expect(res.status).toBe(400);
    expect(res.json().error).toMatchObject({ type: 'invalid_request_error', param });
  });

  test('speech needs a voice, as at OpenAI', async () => {
    const res = await post('/v1/audio/speech', { model: 'demo-tts', input: 'hello' });
    expect(res.status).toBe(400);
    expect(res.json().error).toEqual({
      type: 'invalid_request_error',
      message: "Missing required field 'voice'.",
      param: 'voice',
      code: 'missing_required_parameter',
    });
  });

  test('an explicit null in a nullable field means absent, and never reaches the provider', async () => {
    const before = recorder.bodies.length;
    const res = await alice.openai.chat.completions.create({
      model: 'recorder',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: null,
      top_p: null,
      max_tokens: null,
      stop: null,
      stream: null,
      n: null,
    });
    expect(res.choices[0].message.content).toBe('recorded');
    const forwarded = recorder.bodies[before];
    for (const field of ['temperature', 'top_p', 'max_tokens', 'stop', 'stream', 'n']) {
      expect(forwarded).not.toHaveProperty(field);
    }
  });

  test('unknown fields are passed through untouched', async () => {
    const before = recorder.bodies.length;
    await post('/v1/chat/completions', { ...chat({ model: 'recorder' }), chat_template_kwargs: { think: false } });
    expect(recorder.bodies[before]).toMatchObject({ chat_template_kwargs: { think: false } });
  });

  test('images accept size "auto" and null options', async () => {
    const res = await alice.openai.images.generate({
      model: 'demo-image',
      prompt: 'a lighthouse',
      size: 'auto',
      n: null,
      response_format: null,
    });
    expect(res.data).toHaveLength(1);
  });
});

describe('malformed input is a 4xx, never a 500', () => {
  test('pathologically deep JSON', async () => {
    const res = await post('/v1/chat/completions', `${'['.repeat(100000)}${']'.repeat(100000)}`);
    expect(res.status).toBe(400);
    const deepObject = `{"model":"demo-chat","messages":[{"role":"user","content":"x"}],"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    expect((await post('/v1/chat/completions', deepObject)).status).toBe(400);
  });

  test('NUL bytes and garbage in path and query values', async () => {
    const get = (path: string) => fetch(`${stack.url}${path}`, { headers: headers() });
    expect((await get('/api/inference/agent/tasks?provider_id=%00')).status).toBe(400);
    expect((await get('/api/inference/agent/tasks?provider_id=a&provider_id=b')).status).toBe(400);
    expect((await get('/v1/audio/voices?model=%00')).status).toBe(404);
    expect((await get('/api/inference/assets/%00/')).status).toBe(404);
    expect((await get('/v1/models/%00')).status).toBe(404);
    const del = (id: string) =>
      fetch(`${stack.url}/api/inference/voice-samples/${id}/`, { method: 'DELETE', headers: headers() });
    for (const id of ['99999999999999999999', '-1', '1e3', '%00', '0']) expect((await del(id)).status).toBe(404);
  });

  test('out-of-range integers never reach Postgres', async () => {
    const res = await post('/v1/voice/generations', { model: 'demo-dia', input: '[S1] hi', speakers: { S1: 1e15 } });
    expect(res.status).toBe(400);
    expect(res.json().error.param).toBe('speakers.S1');
  });

  test('a body that is not JSON, or not an object, or empty', async () => {
    for (const body of ['', 'nope', '[]', '"text"', '42']) {
      const res = await post('/v1/chat/completions', body);
      expect(res.status).toBe(400);
      expect(res.json().error.type).toBe('invalid_request_error');
    }
  });
});

describe('uploads', () => {
  const truncated = (field: string, model: string) =>
    `--XYZ\r\nContent-Disposition: form-data; name="model"\r\n\r\n${model}\r\n` +
    `--XYZ\r\nContent-Disposition: form-data; name="${field}"; filename="a.wav"\r\n\r\nRIFF`;

  test.each([
    ['/v1/audio/transcriptions', 'file', 'demo-stt'],
    ['/v1/images/edits', 'image', 'demo-image'],
    ['/api/inference/voice-samples/', 'file', 'demo-dia'],
  ])('a multipart body cut off mid-file on %s is a 400, and the API keeps serving', async (path, field, model) => {
    const res = await post(path, truncated(field, model), {
      headers: { authorization: `Bearer ${alice.key}`, 'content-type': 'multipart/form-data; boundary=XYZ' },
    });
    expect(res.status).toBe(400);
    expect(res.json().error.type).toBe('invalid_request_error');
    const models = await alice.openai.models.list();
    expect(models.data.length).toBeGreaterThan(0);
  });

  test('several images (image[], as the SDK sends them) reach the provider', async () => {
    const one = await alice.openai.images.edit({
      model: 'demo-image',
      image: await toFile(PNG_1X1, 'a.png', { type: 'image/png' }),
      prompt: 'blend',
      response_format: 'b64_json',
    });
    const two = await alice.openai.images.edit({
      model: 'demo-image',
      image: [
        await toFile(PNG_1X1, 'a.png', { type: 'image/png' }),
        await toFile(PNG_1X1, 'b.png', { type: 'image/png' }),
      ],
      prompt: 'blend',
      response_format: 'b64_json',
    });
    expect(two.data?.[0].b64_json).toBeTruthy();
    // The demo model seeds its output with every input image: two inputs, another picture.
    expect(two.data?.[0].b64_json).not.toEqual(one.data?.[0].b64_json);
  });

  test('transcripts as srt and vtt, from the model’s segments', async () => {
    const file = await toFile(wav(2), 'a.wav', { type: 'audio/wav' });
    const srt = await alice.openai.audio.transcriptions.create({ model: 'demo-stt', file, response_format: 'srt' });
    expect(String(srt)).toMatch(/^1\n00:00:00,000 --> 00:00:0\d,\d{3}\n\S/);
    const vtt = await alice.openai.audio.transcriptions.create({
      model: 'demo-stt-basic',
      file: await toFile(wav(2), 'a.wav', { type: 'audio/wav' }),
      response_format: 'vtt',
    });
    // A model without timestamps: one cue over the measured duration.
    expect(String(vtt)).toMatch(/^WEBVTT\n\n00:00:00\.000 --> 00:00:02\.000\n\S+/);
  });

  test('stream: true on transcriptions streams events, or is refused when the model cannot', async () => {
    const stream = await alice.openai.audio.transcriptions.create({
      model: 'demo-stt',
      file: await toFile(wav(1), 'a.wav', { type: 'audio/wav' }),
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'transcript.text.done') text = event.text;
    }
    expect(types.at(-1)).toBe('transcript.text.done');
    expect(types.filter((t) => t === 'transcript.text.delta').length).toBeGreaterThan(1);
    expect(text.length).toBeGreaterThan(0);

    const refused = await alice.openai.audio.transcriptions
      .create({ model: 'demo-stt-basic', file: await toFile(wav(1), 'a.wav', { type: 'audio/wav' }), stream: true })
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('stream');
  });
});

describe('the HTTP surface', () => {
  test('models.retrieve, with the same visibility as the list', async () => {
    const model = await alice.openai.models.retrieve('demo-chat');
    expect(model).toMatchObject({ id: 'demo-chat', object: 'model', service_type: 'llm' });
    const bob = await stack.member('bob');
    const hidden = await bob.openai.models.retrieve('demo-chat').then(
      () => null,
      (err: unknown) => err,
    );
    expect(hidden).toBeInstanceOf(OpenAI.NotFoundError);
  });

  test('a wrong method is a 405 in the envelope, with Allow', async () => {
    const res = await fetch(`${stack.url}/v1/chat/completions`, { method: 'GET', headers: headers() });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect((await res.json()) as Envelope).toEqual({
      error: {
        type: 'method_not_allowed',
        message: 'GET is not allowed on /v1/chat/completions.',
        param: null,
        code: null,
      },
    });
  });

  test('CORS: a preflight answers without a key, and answers carry the headers', async () => {
    const preflight = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://explorer.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();

    const res = await fetch(`${stack.url}/v1/models`, {
      headers: { ...headers(), origin: 'https://explorer.example' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
    const denied = await fetch(`${stack.url}/v1/models`, { headers: { origin: 'https://explorer.example' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe('*');
  });
});

import { toFile } from 'openai';
import { signedAssetUrl } from '../domain/signed-url';
import { isPng, mp3, PNG_1X1, wav, wavSeconds } from './support/media-files';
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
    await stack.recordHistories('media');
  } finally {
    await stack.stop();
  }
});

const auth = () => ({ authorization: `Bearer ${alice.key}` });
const postJson = (path: string, body: unknown, key = alice.key) =>
  fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const getAsset = async (url: string, headers: Record<string, string> = auth()) => {
  const res = await fetch(url, { headers });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
};

async function requestRow(requestId: string) {
  return stack.db.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
}

describe('images', () => {
  test('generate: url (default) points at a stored PNG', async () => {
    const res = await alice.openai.images.generate({
      model: 'demo-image',
      prompt: 'a glowing crystal cave',
      n: 2,
      size: '64x64',
    });
    expect(res.data).toHaveLength(2);
    for (const item of res.data ?? []) {
      // A signed, expiring link: it opens without a key, as OpenAI's image URLs do.
      expect(item.url).toMatch(
        new RegExp(`^${stack.url}/api/inference/assets/[\\w-]+/\\?expires=\\d+&signature=[\\w-]+$`),
      );
      expect(item.b64_json).toBeUndefined();
      const { res: asset, bytes } = await getAsset(item.url as string, {});
      expect(asset.headers.get('content-type')).toBe('image/png');
      expect(isPng(bytes)).toBe(true);
      expect(bytes.readUInt32BE(16)).toBe(64);
    }
  });

  test('generate: b64_json returns the same bytes inline, and n is clamped', async () => {
    const res = await alice.openai.images.generate({
      model: 'demo-image',
      prompt: 'a fox',
      n: 9,
      response_format: 'b64_json',
      size: '32x32',
    });
    expect(res.data).toHaveLength(4);
    const first = res.data?.[0];
    const inline = Buffer.from(first?.b64_json as string, 'base64');
    expect(isPng(inline)).toBe(true);
    expect((await getAsset(first?.url as string)).bytes.equals(inline)).toBe(true);
  });

  test('edit: multipart with image and mask', async () => {
    const res = await alice.openai.images.edit({
      model: 'demo-image',
      prompt: 'add a hat',
      image: await toFile(PNG_1X1, 'in.png', { type: 'image/png' }),
      mask: await toFile(PNG_1X1, 'mask.png', { type: 'image/png' }),
      response_format: 'b64_json',
    });
    expect(isPng(Buffer.from(res.data?.[0].b64_json as string, 'base64'))).toBe(true);
    expect(res.data?.[0].url).toContain('/api/inference/assets/');
  });

  test('edit: a text file named .png is 415 and nothing is stored', async () => {
    const form = new FormData();
    form.set('model', 'demo-image');
    form.set('prompt', 'x');
    form.set('image', new Blob(['just some text, not an image']), 'fake.png');
    const before = await stack.db
      .selectFrom('requests')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const res = await fetch(`${stack.url}/v1/images/edits`, { method: 'POST', headers: auth(), body: form });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('unsupported_media_type');
    const after = await stack.db
      .selectFrom('requests')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});

describe('audio', () => {
  test('transcription (json) with usage measured from the audio', async () => {
    const res = await alice.openai.audio.transcriptions.create({
      model: 'demo-stt',
      file: await toFile(wav(2.5), 'speech.wav', { type: 'audio/wav' }),
    });
    expect(res.text.length).toBeGreaterThan(0);
    expect((res as unknown as { usage: unknown }).usage).toEqual({ type: 'duration', seconds: 2.5 });
  });

  test('transcription of an mp3, verbose_json with word timings from a timestamps model', async () => {
    const res = await alice.openai.audio.transcriptions.create({
      model: 'demo-stt',
      file: await toFile(mp3(1.5), 'speech.mp3', { type: 'audio/mpeg' }),
      response_format: 'verbose_json',
      timestamp_granularities: ['word'],
    });
    expect(res.words?.length).toBeGreaterThan(0);
    expect(res.words?.[0]).toEqual(
      expect.objectContaining({ word: expect.any(String), start: expect.any(Number), end: expect.any(Number) }),
    );
    const usage = (res as unknown as { usage: { seconds: number } }).usage;
    expect(usage.seconds).toBeGreaterThan(1.4);
    expect(usage.seconds).toBeLessThan(1.7);
  });

  test('verbose_json on a model without timestamps is downgraded to the plain transcript', async () => {
    const res = await alice.openai.audio.transcriptions.create({
      model: 'demo-stt-basic',
      file: await toFile(wav(1), 'a.wav'),
      response_format: 'verbose_json',
      timestamp_granularities: ['word'],
    });
    expect(res.text.length).toBeGreaterThan(0);
    expect(res.words).toBeUndefined();
    expect(res.segments).toBeUndefined();
  });

  test('transcription as text', async () => {
    const res = await fetch(`${stack.url}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: auth(),
      body: (() => {
        const form = new FormData();
        form.set('model', 'demo-stt');
        form.set('response_format', 'text');
        form.set('file', new Blob([wav(1)]), 'a.wav');
        return form;
      })(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect((await res.text()).length).toBeGreaterThan(0);
  });

  test('a 26 MB upload is 413, a text file renamed .wav is 415, a missing file is 400', async () => {
    const upload = async (bytes: Buffer | null) => {
      const form = new FormData();
      form.set('model', 'demo-stt');
      if (bytes) form.set('file', new Blob([bytes]), 'a.wav');
      const res = await fetch(`${stack.url}/v1/audio/transcriptions`, { method: 'POST', headers: auth(), body: form });
      return { status: res.status, type: ((await res.json()) as { error: { type: string } }).error.type };
    };
    expect(await upload(Buffer.concat([wav(0.1), Buffer.alloc(26 * 1024 * 1024)]))).toEqual({
      status: 413,
      type: 'request_too_large',
    });
    expect(await upload(Buffer.from('hello, I am text pretending to be a wav file'))).toEqual({
      status: 415,
      type: 'unsupported_media_type',
    });
    expect(await upload(null)).toEqual({ status: 400, type: 'invalid_request_error' });
  });

  test('speech returns raw WAV by default and Opus on request, and keeps a copy', async () => {
    const res = await alice.openai.audio.speech.create({ model: 'demo-tts', input: 'Hello world', voice: 'alloy' });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(bytes.toString('latin1', 8, 12)).toBe('WAVE');
    expect(wavSeconds(bytes)).toBeGreaterThan(0.4);
    const copy = await getAsset(res.headers.get('x-asset-url') as string);
    expect(copy.bytes.equals(bytes)).toBe(true);

    const opus = await alice.openai.audio.speech.create({
      model: 'demo-tts',
      input: 'Hello world',
      voice: 'nova',
      response_format: 'opus',
    });
    const opusBytes = Buffer.from(await opus.arrayBuffer());
    expect(opusBytes.toString('latin1', 0, 4)).toBe('OggS');
    expect(opusBytes.includes(Buffer.from('OpusHead'))).toBe(true);

    const row = await requestRow(res.headers.get('x-request-id') ?? (copy.res.headers.get('x-request-id') as string));
    expect(row.usage).toMatchObject({ type: 'duration', audio_seconds_out: expect.any(Number) });
  });

  test('voices are listed from the agent heartbeat; an unknown voice is refused', async () => {
    const res = await fetch(`${stack.url}/v1/audio/voices?model=demo-tts`, { headers: auth() });
    expect(await res.json()).toEqual({
      voices: ['alloy', 'nova'],
      object: 'list',
      data: [
        { id: 'alloy', name: 'Alloy', object: 'voice' },
        { id: 'nova', name: 'Nova', object: 'voice' },
      ],
    });
    const bad = await postJson('/v1/audio/speech', { model: 'demo-tts', input: 'x', voice: 'nobody' });
    expect(bad.status).toBe(400);
  });

  test('an image model sent to /v1/audio/speech is refused, not misrouted', async () => {
    const before = stack.demo.stats().requests;
    const res = await postJson('/v1/audio/speech', { model: 'demo-image', input: 'hello', voice: 'alloy' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('wrong_service_type');
    expect(stack.demo.stats().requests).toBe(before);
  });
});

describe('music, video, 3D and voice cloning', () => {
  test('music returns raw audio; an asset fetched with a Range header answers 206', async () => {
    const res = await postJson('/v1/music/generations', { model: 'demo-music', prompt: 'dreamy lo-fi', duration: 2 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    const whole = Buffer.from(await res.arrayBuffer());
    const url = res.headers.get('x-asset-url') as string;
    const part = await getAsset(url, { ...auth(), range: 'bytes=100-199' });
    expect(part.res.status).toBe(206);
    expect(part.res.headers.get('content-range')).toBe(`bytes 100-199/${whole.length}`);
    expect(part.bytes.equals(whole.subarray(100, 200))).toBe(true);
    const tail = await getAsset(url, { ...auth(), range: 'bytes=-10' });
    expect(tail.bytes.equals(whole.subarray(whole.length - 10))).toBe(true);
    const outside = await getAsset(url, { ...auth(), range: `bytes=${whole.length + 5}-` });
    expect(outside.res.status).toBe(416);
  });

  test('video returns a raw MP4 and meters its seconds', async () => {
    const res = await postJson('/v1/videos/generations', { model: 'demo-video', prompt: 'a timelapse sunrise' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.toString('latin1', 4, 8)).toBe('ftyp');
    const row = await requestRow(res.headers.get('x-request-id') as string);
    expect((row.usage as { video_seconds: number }).video_seconds).toBeGreaterThan(0);
  });

  test('3D returns the mesh asset URL and format', async () => {
    const res = await postJson('/v1/3d/generations', { model: 'demo-mesh', prompt: 'a teapot' });
    const body = (await res.json()) as { data: { url: string; format: string }[] };
    expect(body.data[0].format).toBe('glb');
    const mesh = await getAsset(body.data[0].url);
    expect(mesh.bytes.toString('latin1', 0, 4)).toBe('glTF');
    expect(mesh.res.headers.get('content-type')).toBe('model/gltf-binary');
  });

  test('voice cloning uses samples from the voice library, only the owner may use them', async () => {
    const form = new FormData();
    form.set('name', 'my voice');
    form.set('file', new Blob([wav(1)]), 'me.wav');
    const created = await fetch(`${stack.url}/api/inference/voice-samples/`, {
      method: 'POST',
      headers: auth(),
      body: form,
    });
    expect(created.status).toBe(201);
    const sample = (await created.json()) as { id: number; duration_seconds: number };
    expect(sample.duration_seconds).toBeCloseTo(1, 1);
    const list = (await (await fetch(`${stack.url}/api/inference/voice-samples/`, { headers: auth() })).json()) as {
      data: { id: number }[];
    };
    expect(list.data.map((s) => s.id)).toContain(sample.id);

    const res = await postJson('/v1/voice/generations', {
      model: 'demo-dia',
      input: '[S1] Hello!',
      speakers: { S1: sample.id },
      seed: 42,
    });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).toString('latin1', 8, 12)).toBe('WAVE');

    const bob = await stack.member('bob');
    await stack.agent(bob);
    const stolen = await postJson(
      '/v1/voice/generations',
      { model: 'demo-dia', input: '[S1] Hi', speakers: { S1: sample.id } },
      bob.key,
    );
    expect(stolen.status).toBe(404);

    const notCloning = await postJson('/v1/voice/generations', { model: 'demo-tts', input: '[S1] Hi' });
    expect(notCloning.status).toBe(400);
    expect(((await notCloning.json()) as { error: { message: string } }).error.message).toBe(
      "Model 'demo-tts' does not support 'voice-cloning'.",
    );

    const del = await fetch(`${stack.url}/api/inference/voice-samples/${sample.id}/`, {
      method: 'DELETE',
      headers: auth(),
    });
    expect(del.status).toBe(204);
    const again = await postJson('/v1/voice/generations', {
      model: 'demo-dia',
      input: '[S1] Hi',
      speakers: { S1: sample.id },
    });
    expect(again.status).toBe(404);
  });
});

test("a SECRET request's bare asset URL needs the owner's key; a signed link works alone until tampered with or expired", async () => {
  // The platform's own field rides along the SDK's body.
  const res = await alice.openai.images.generate(
    { model: 'demo-image', prompt: 'private', size: '32x32' },
    {
      body: { model: 'demo-image', prompt: 'private', size: '32x32', visibility: 'SECRET' },
    },
  );
  const signed = new URL(res.data?.[0].url as string);
  const bare = `${signed.origin}${signed.pathname}`;
  const bob = await stack.member('bob');
  // Anyone else gets the 404 of an asset that does not exist (the visibility matrix covers every level).
  expect((await getAsset(bare, { authorization: `Bearer ${bob.key}` })).res.status).toBe(404);
  expect((await getAsset(bare, {})).res.status).toBe(404);
  expect((await getAsset(bare, { authorization: 'Bearer not-a-key' })).res.status).toBe(401);
  expect((await getAsset(bare)).res.status).toBe(200);

  expect((await getAsset(signed.href, {})).res.status).toBe(200);
  const tampered = new URL(signed.href);
  tampered.searchParams.set('expires', String(Number(signed.searchParams.get('expires')) + 60));
  const refused = await getAsset(tampered.href, {});
  expect(refused.res.status).toBe(403);
  expect(JSON.parse(refused.bytes.toString())).toEqual({
    error: { type: 'permission_denied', message: 'This link is not valid.', param: null, code: 'invalid_signature' },
  });
  // Signed correctly, but at the epoch: long expired.
  const late = await getAsset(signedAssetUrl(stack.config, signed.pathname.split('/')[4], 0), {});
  expect(late.res.status).toBe(403);
  expect(JSON.parse(late.bytes.toString()).error.code).toBe('link_expired');
});

test('image generation meters the image count', async () => {
  const res = await alice.openai.images
    .generate({ model: 'demo-image', prompt: 'count me', n: 3, size: '32x32' })
    .withResponse();
  const row = await requestRow(res.response.headers.get('x-request-id') as string);
  expect(row.usage).toEqual({ images: 3 });
});

/** Audio endpoints of the demo provider (test fixture): speech, transcription, music, cloning. */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DemoProvider } from '../../demo-provider/server';
import { startDemoProvider } from '../../demo-provider/server';
import { HAS_FFMPEG, bytesOf, checkWav, expectError, postJson } from './demo-provider.helpers';

let provider: DemoProvider;
let samples: Server;
let samplesUrl: string;
beforeAll(async () => {
  provider = await startDemoProvider();
  // Stands in for the presigned object-store URLs the platform hands to voice cloning.
  samples = createServer((req, res) => {
    if (req.url === '/missing') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'audio/wav' }).end(Buffer.from(`sample:${req.url}`));
  });
  await new Promise<void>((resolve) => samples.listen(0, '127.0.0.1', resolve));
  samplesUrl = `http://127.0.0.1:${(samples.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await provider.close();
  await new Promise((resolve) => samples.close(resolve));
});

const speech = (body: Record<string, unknown>): Promise<Response> =>
  postJson(provider.url, '/v1/audio/speech', { model: 'demo-tts', ...body });

test('speech is a 24 kHz mono 16-bit WAV whose length follows the input', async () => {
  const input = 'Hello from the demo provider, a test fixture.';
  const res = await speech({ input, voice: 'alloy' });
  expect(res.headers.get('content-type')).toBe('audio/wav');
  const wav = await bytesOf(res);
  const info = checkWav(wav);
  expect(info).toMatchObject({ sampleRate: 24_000, channels: 1, bits: 16 });
  expect(info.seconds).toBeCloseTo(input.length * 0.06, 2);
  expect(checkWav(await bytesOf(await speech({ input: 'hi', voice: 'alloy' }))).seconds).toBeCloseTo(0.5, 3);
  expect(checkWav(await bytesOf(await speech({ input, voice: 'alloy', speed: 2 }))).seconds).toBeCloseTo(
    (input.length * 0.06) / 2,
    2,
  );
  expect((await bytesOf(await speech({ input, voice: 'alloy' }))).equals(wav)).toBe(true);
  expect((await bytesOf(await speech({ input, voice: 'nova' }))).equals(wav)).toBe(false);
  expect((await bytesOf(await speech({ input: `${input}!`, voice: 'alloy' }))).equals(wav)).toBe(false);
});

test('lists the voices of a TTS model', async () => {
  const res = await fetch(`${provider.url}/v1/audio/voices?model=demo-tts`);
  expect(await res.json()).toEqual({ voices: ['alloy', 'nova'] });
});

test('speech rejects unknown voices and missing input', async () => {
  await expectError(await speech({ input: 'x', voice: 'echo' }), 400);
  await expectError(await speech({ voice: 'alloy' }), 400);
  await expectError(await speech({ input: 'x', response_format: 'wma' }), 400);
});

(HAS_FFMPEG ? test : test.skip)('opus speech is a deterministic Ogg Opus file', async () => {
  const res = await speech({ input: 'Hello opus', voice: 'nova', response_format: 'opus' });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('audio/ogg');
  const ogg = await bytesOf(res);
  expect(ogg.toString('latin1', 0, 4)).toBe('OggS');
  expect(ogg.indexOf('OpusHead')).toBeGreaterThan(0);
  const again = await bytesOf(await speech({ input: 'Hello opus', voice: 'nova', response_format: 'opus' }));
  expect(again.equals(ogg)).toBe(true);
});

async function transcribe(file: Buffer, fields: Record<string, string | string[]>): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([file], { type: 'audio/wav' }), 'speech.wav');
  for (const [k, v] of Object.entries(fields)) for (const item of [v].flat()) form.append(k, item);
  return fetch(`${provider.url}/v1/audio/transcriptions`, { method: 'POST', body: form });
}

test('transcription reads the WAV duration and answers json, text and verbose_json', async () => {
  const wav = await bytesOf(await speech({ input: 'x'.repeat(50), voice: 'alloy' }));
  const json = (await (await transcribe(wav, { model: 'demo-stt' })).json()) as { text: string; usage: unknown };
  expect(json.text.split(' ').length).toBeGreaterThanOrEqual(3);
  expect(json.usage).toEqual({ type: 'duration', seconds: 3 });
  const text = await transcribe(wav, { model: 'demo-stt', response_format: 'text' });
  expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(await text.text()).toBe(json.text);
  const verbose = (await (
    await transcribe(wav, {
      model: 'demo-stt',
      response_format: 'verbose_json',
      'timestamp_granularities[]': ['word', 'segment'],
    })
  ).json()) as {
    duration: number;
    text: string;
    words: { start: number; end: number }[];
    segments: { text: string }[];
  };
  expect(verbose.duration).toBeCloseTo(3, 3);
  expect(verbose.text).toBe(json.text);
  expect(verbose.words).toHaveLength(json.text.split(' ').length);
  expect(verbose.words[verbose.words.length - 1].end).toBeLessThanOrEqual(3);
  expect(verbose.segments.map((s) => s.text.trim()).join(' ')).toBe(json.text);
  const other = await bytesOf(await speech({ input: 'y'.repeat(50), voice: 'alloy' }));
  expect(((await (await transcribe(other, { model: 'demo-stt' })).json()) as { text: string }).text).not.toBe(
    json.text,
  );
});

test('a model without timestamps downgrades verbose_json to json', async () => {
  const wav = await bytesOf(await speech({ input: 'short', voice: 'alloy' }));
  const body = await (await transcribe(wav, { model: 'demo-stt-basic', response_format: 'verbose_json' })).json();
  expect(Object.keys(body as object).sort()).toEqual(['text', 'usage']);
});

test('bad transcription requests are 400s', async () => {
  await expectError(await transcribe(Buffer.from('RIFFnonsense'), { model: 'demo-stt' }), 400);
  await expectError(await transcribe(Buffer.from('abc'), { model: 'demo-stt', response_format: 'srtx' }), 400);
  await expectError(await transcribe(Buffer.from('abc'), { model: 'demo-tts' }), 400);
});

test('music is a stereo 44.1 kHz WAV of the requested duration, capped at 30 s', async () => {
  const res = await postJson(provider.url, '/v1/music/generations', {
    model: 'demo-music',
    prompt: 'lo-fi',
    duration: 3,
  });
  expect(res.headers.get('content-type')).toBe('audio/wav');
  const wav = await bytesOf(res);
  expect(checkWav(wav)).toMatchObject({ sampleRate: 44_100, channels: 2, bits: 16, seconds: 3 });
  const again = await bytesOf(
    await postJson(provider.url, '/v1/music/generations', { model: 'demo-music', prompt: 'lo-fi', duration: 3 }),
  );
  expect(again.equals(wav)).toBe(true);
  const other = await bytesOf(
    await postJson(provider.url, '/v1/music/generations', { model: 'demo-music', prompt: 'jazz', duration: 3 }),
  );
  expect(other.equals(wav)).toBe(false);
  const capped = await bytesOf(
    await postJson(provider.url, '/v1/music/generations', { model: 'demo-music', prompt: 'x', duration: 99 }),
  );
  expect(checkWav(capped).seconds).toBe(30);
  const byDefault = await bytesOf(
    await postJson(provider.url, '/v1/music/generations', { model: 'demo-music', prompt: 'x' }),
  );
  expect(checkWav(byDefault).seconds).toBe(5);
});

test('voice cloning fetches every speaker sample and derives the audio from them', async () => {
  const clone = (speakers: Record<string, string>, seed = 1): Promise<Response> =>
    postJson(provider.url, '/v1/voice/generations', {
      model: 'demo-dia',
      input: '[S1] Hi. [S2] Hello.',
      speakers,
      seed,
    });
  const res = await clone({ S1: `${samplesUrl}/a.wav`, S2: `${samplesUrl}/b.wav` });
  expect(res.status).toBe(200);
  const wav = await bytesOf(res);
  expect(checkWav(wav)).toMatchObject({ sampleRate: 24_000, channels: 1 });
  expect((await bytesOf(await clone({ S1: `${samplesUrl}/a.wav`, S2: `${samplesUrl}/b.wav` }))).equals(wav)).toBe(true);
  expect((await bytesOf(await clone({ S1: `${samplesUrl}/c.wav`, S2: `${samplesUrl}/b.wav` }))).equals(wav)).toBe(
    false,
  );
  expect((await bytesOf(await clone({ S1: `${samplesUrl}/a.wav`, S2: `${samplesUrl}/b.wav` }, 2))).equals(wav)).toBe(
    false,
  );
  await expectError(await clone({ S1: `${samplesUrl}/missing` }), 400);
  await expectError(await clone({ S1: 'ftp://nowhere' }), 400);
  await expectError(
    await postJson(provider.url, '/v1/voice/generations', { model: 'demo-tts', input: 'x', speakers: {} }),
    400,
  );
});

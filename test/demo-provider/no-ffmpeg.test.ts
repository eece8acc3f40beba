/** The demo provider (test fixture) on a machine without ffmpeg: clear errors, not crashes. */
import type { DemoProvider } from '../../demo-provider/server';
import { startDemoProvider } from '../../demo-provider/server';
import { checkWav, expectError, postJson } from './demo-provider.helpers';

let provider: DemoProvider;
const saved = process.env.FFMPEG_PATH;
beforeAll(async () => {
  // The ffmpeg probe is lazy and jest gives each test file fresh modules, so this takes effect here only.
  process.env.FFMPEG_PATH = '/nonexistent/ffmpeg';
  provider = await startDemoProvider();
});
afterAll(async () => {
  await provider.close();
  if (saved === undefined) delete process.env.FFMPEG_PATH;
  else process.env.FFMPEG_PATH = saved;
});

test('video answers 503 unavailable', async () => {
  await expectError(
    await postJson(provider.url, '/v1/videos/generations', { model: 'demo-video', prompt: 'x' }),
    503,
    'unavailable',
  );
});

test('opus speech answers 400 unsupported_format while WAV still works', async () => {
  const speech = (format: string): Promise<Response> =>
    postJson(provider.url, '/v1/audio/speech', { model: 'demo-tts', input: 'hi', response_format: format });
  await expectError(await speech('opus'), 400, 'unsupported_format');
  const wav = await speech('wav');
  expect(checkWav(Buffer.from(await wav.arrayBuffer())).sampleRate).toBe(24_000);
});

/** Video and 3D endpoints of the demo provider (test fixture): real MP4 and GLB files. */
import type { DemoProvider } from '../../demo-provider/server';
import { startDemoProvider } from '../../demo-provider/server';
import { HAS_FFMPEG, bytesOf, checkGlb, expectError, postJson } from './demo-provider.helpers';

let provider: DemoProvider;
beforeAll(async () => {
  provider = await startDemoProvider();
});
afterAll(() => provider.close());

const mesh = (prompt: string, extra: Record<string, unknown> = {}): Promise<Response> =>
  postJson(provider.url, '/v1/3d/generations', { model: 'demo-mesh', prompt, ...extra });

test('3D generation returns a valid, deterministic GLB whose geometry follows the prompt', async () => {
  const res = await mesh('a small rock');
  expect(res.headers.get('content-type')).toBe('model/gltf-binary');
  const glb = await bytesOf(res);
  const { gltf, bin } = checkGlb(glb);
  const [position, indices] = gltf.accessors;
  expect(position).toMatchObject({ componentType: 5126, type: 'VEC3' });
  expect(indices).toMatchObject({ componentType: 5123, type: 'SCALAR' });
  expect(indices.count % 3).toBe(0);
  const view = gltf.bufferViews[position.bufferView];
  for (let i = 0; i < position.count * 3; i++) {
    const v = bin.readFloatLE(view.byteOffset + i * 4);
    expect(v).toBeGreaterThanOrEqual(position.min?.[i % 3] ?? -Infinity);
    expect(v).toBeLessThanOrEqual(position.max?.[i % 3] ?? Infinity);
  }
  const indexView = gltf.bufferViews[indices.bufferView];
  for (let i = 0; i < indices.count; i++) {
    expect(bin.readUInt16LE(indexView.byteOffset + i * 2)).toBeLessThan(position.count);
  }
  expect((await bytesOf(await mesh('a small rock'))).equals(glb)).toBe(true);
  expect((await bytesOf(await mesh('a tall tower'))).equals(glb)).toBe(false);
  await expectError(await mesh('x', { format: 'obj' }), 400);
  await expectError(await postJson(provider.url, '/v1/3d/generations', { model: 'demo-mesh' }), 400);
});

(HAS_FFMPEG ? test : test.skip)('video generation returns a deterministic MP4', async () => {
  const video = (prompt: string): Promise<Response> =>
    postJson(provider.url, '/v1/videos/generations', { model: 'demo-video', prompt, duration: 1, size: '64x48' });
  const res = await video('waves');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('video/mp4');
  const mp4 = await bytesOf(res);
  expect(mp4.toString('latin1', 4, 8)).toBe('ftyp');
  // +faststart puts the index (moov) before the media data.
  expect(mp4.indexOf('moov')).toBeLessThan(mp4.indexOf('mdat'));
  expect((await bytesOf(await video('waves'))).equals(mp4)).toBe(true);
  expect((await bytesOf(await video('fire'))).equals(mp4)).toBe(false);
});

test('video generation validates its input', async () => {
  await expectError(await postJson(provider.url, '/v1/videos/generations', { model: 'demo-video' }), 400);
  await expectError(
    await postJson(provider.url, '/v1/videos/generations', { model: 'demo-video', prompt: 'x', duration: 'long' }),
    400,
  );
});

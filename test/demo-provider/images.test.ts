/** Image endpoints of the demo provider (test fixture): real PNGs, seeded by prompt and input. */
import type { DemoProvider } from '../../demo-provider/server';
import { startDemoProvider } from '../../demo-provider/server';
import { checkPng, expectError, postJson } from './demo-provider.helpers';

let provider: DemoProvider;
beforeAll(async () => {
  provider = await startDemoProvider();
});
afterAll(() => provider.close());

async function generate(body: Record<string, unknown>): Promise<Buffer[]> {
  const res = await postJson(provider.url, '/v1/images/generations', { model: 'demo-image', ...body });
  expect(res.status).toBe(200);
  const json = (await res.json()) as { created: number; data: { b64_json: string }[] };
  expect(Number.isInteger(json.created)).toBe(true);
  return json.data.map((d) => Buffer.from(d.b64_json, 'base64'));
}

test('generations return valid PNGs of the requested size, one per n, all different', async () => {
  const images = await generate({ prompt: 'a glowing crystal cave', n: 2, size: '128x64', response_format: 'url' });
  expect(images).toHaveLength(2);
  for (const png of images) expect(checkPng(png)).toMatchObject({ width: 128, height: 64 });
  expect(images[0].equals(images[1])).toBe(false);
});

test('generations are deterministic per prompt and default to 256x256, capped at 1024', async () => {
  const [a] = await generate({ prompt: 'cave' });
  const [b] = await generate({ prompt: 'cave' });
  const [c] = await generate({ prompt: 'forest' });
  expect(a.equals(b)).toBe(true);
  expect(a.equals(c)).toBe(false);
  expect(checkPng(a)).toMatchObject({ width: 256, height: 256 });
  const [big] = await generate({ prompt: 'cave', size: '4096x2048' });
  expect(checkPng(big)).toMatchObject({ width: 1024, height: 1024 });
});

async function edit(image: Buffer, prompt: string, extra: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  form.append('model', 'demo-image');
  form.append('prompt', prompt);
  form.append('image', new Blob([image], { type: 'image/png' }), 'input.png');
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  return fetch(`${provider.url}/v1/images/edits`, { method: 'POST', body: form });
}

test('edits derive the output from the prompt and the input image, keeping its size', async () => {
  const [inputA] = await generate({ prompt: 'source a', size: '96x48' });
  const [inputB] = await generate({ prompt: 'source b', size: '96x48' });
  const out = async (img: Buffer, prompt: string): Promise<Buffer> => {
    const res = await edit(img, prompt);
    expect(res.status).toBe(200);
    const json = (await res.json()) as { data: { b64_json: string }[] };
    return Buffer.from(json.data[0].b64_json, 'base64');
  };
  const first = await out(inputA, 'add a moon');
  expect(checkPng(first)).toMatchObject({ width: 96, height: 48 });
  expect((await out(inputA, 'add a moon')).equals(first)).toBe(true);
  expect((await out(inputB, 'add a moon')).equals(first)).toBe(false);
  expect((await out(inputA, 'add a sun')).equals(first)).toBe(false);
  const sized = await edit(inputA, 'add a moon', { size: '32x32', n: '3' });
  const json = (await sized.json()) as { data: { b64_json: string }[] };
  expect(json.data).toHaveLength(3);
  expect(checkPng(Buffer.from(json.data[2].b64_json, 'base64'))).toMatchObject({ width: 32, height: 32 });
});

test('bad image requests are 400s', async () => {
  await expectError(await postJson(provider.url, '/v1/images/generations', { model: 'demo-image' }), 400);
  await expectError(
    await postJson(provider.url, '/v1/images/generations', { model: 'demo-image', prompt: 'x', size: 'big' }),
    400,
  );
  await expectError(
    await postJson(provider.url, '/v1/images/generations', { model: 'demo-image', prompt: 'x', n: 0 }),
    400,
  );
  await expectError(await postJson(provider.url, '/v1/images/generations', { model: 'demo-chat', prompt: 'x' }), 400);
  const noImage = new FormData();
  noImage.append('model', 'demo-image');
  noImage.append('prompt', 'x');
  await expectError(await fetch(`${provider.url}/v1/images/edits`, { method: 'POST', body: noImage }), 400);
  await expectError(
    await fetch(`${provider.url}/v1/images/edits`, {
      method: 'POST',
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    }),
    400,
  );
});

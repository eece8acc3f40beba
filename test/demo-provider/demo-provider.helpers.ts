/** Shared client helpers and file-format checks for the demo provider (test fixture) tests. */
import { spawnSync } from 'node:child_process';
import { inflateSync } from 'node:zlib';

export const HAS_FFMPEG = spawnSync(process.env.FFMPEG_PATH || 'ffmpeg', ['-version']).status === 0;

export function postJson(base: string, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}

/** A one-message chat completion from `demo-chat`, with any extra body fields. */
export function postChat(base: string, content: string, extra: Record<string, unknown> = {}): Promise<Response> {
  return postJson(base, '/v1/chat/completions', {
    model: 'demo-chat',
    messages: [{ role: 'user', content }],
    ...extra,
  });
}

export async function bytesOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

export async function expectError(res: Response, status: number, type?: string): Promise<void> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { message: string; type: string } };
  expect(typeof body.error.message).toBe('string');
  if (type) expect(body.error.type).toBe(type);
}

/** Decodes enough of a PNG to prove it is whole: signature, IHDR, CRC-free IDAT inflate. */
export function checkPng(buf: Buffer): { width: number; height: number; pixels: Buffer } {
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let pos = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  const types: string[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    types.push(type);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 2]);
    }
    if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  expect(types[0]).toBe('IHDR');
  expect(types[types.length - 1]).toBe('IEND');
  const pixels = inflateSync(Buffer.concat(idat));
  expect(pixels.length).toBe((width * 3 + 1) * height);
  return { width, height, pixels };
}

export function checkWav(buf: Buffer): { sampleRate: number; channels: number; bits: number; seconds: number } {
  expect(buf.toString('latin1', 0, 4)).toBe('RIFF');
  expect(buf.readUInt32LE(4)).toBe(buf.length - 8);
  expect(buf.toString('latin1', 8, 16)).toBe('WAVEfmt ');
  expect(buf.readUInt16LE(20)).toBe(1);
  const channels = buf.readUInt16LE(22);
  const sampleRate = buf.readUInt32LE(24);
  const bits = buf.readUInt16LE(34);
  expect(buf.readUInt32LE(28)).toBe((sampleRate * channels * bits) / 8);
  expect(buf.toString('latin1', 36, 40)).toBe('data');
  const dataBytes = buf.readUInt32LE(40);
  expect(dataBytes).toBe(buf.length - 44);
  return { sampleRate, channels, bits, seconds: dataBytes / ((sampleRate * channels * bits) / 8) };
}

export interface Gltf {
  asset: { version: string; generator?: string };
  buffers: { byteLength: number }[];
  bufferViews: { buffer: number; byteOffset: number; byteLength: number }[];
  accessors: {
    bufferView: number;
    componentType: number;
    count: number;
    type: string;
    min?: number[];
    max?: number[];
  }[];
  meshes: { primitives: { attributes: Record<string, number>; indices?: number }[] }[];
}

/** Structural GLB check: header, 4-byte aligned JSON and BIN chunks, views inside the buffer. */
export function checkGlb(buf: Buffer): { gltf: Gltf; bin: Buffer } {
  expect(buf.toString('latin1', 0, 4)).toBe('glTF');
  expect(buf.readUInt32LE(4)).toBe(2);
  expect(buf.readUInt32LE(8)).toBe(buf.length);
  const jsonLen = buf.readUInt32LE(12);
  expect(buf.readUInt32LE(16)).toBe(0x4e4f534a);
  expect(jsonLen % 4).toBe(0);
  const gltf = JSON.parse(buf.toString('utf8', 20, 20 + jsonLen)) as Gltf;
  const binStart = 20 + jsonLen;
  const binLen = buf.readUInt32LE(binStart);
  expect(buf.readUInt32LE(binStart + 4)).toBe(0x004e4942);
  expect(binLen % 4).toBe(0);
  expect(binStart + 8 + binLen).toBe(buf.length);
  expect(gltf.asset.version).toBe('2.0');
  expect(gltf.buffers[0].byteLength).toBe(binLen);
  for (const view of gltf.bufferViews) expect(view.byteOffset + view.byteLength).toBeLessThanOrEqual(binLen);
  return { gltf, bin: buf.subarray(binStart + 8) };
}

/** Reads an SSE body as it arrives; returns the data payloads and how many network reads it took. */
export async function readSse(res: Response): Promise<{ events: string[]; reads: number }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  let reads = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    reads++;
    text += decoder.decode(value, { stream: true });
  }
  const events = text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length));
  return { events, reads };
}

/**
 * /v1/videos/generations of the demo provider (a test/benchmark fixture): animated seeded
 * patterns encoded by ffmpeg into a real, playable MP4.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveModel } from './catalogue';
import { BITEXACT, findFfmpeg, runFfmpeg } from './ffmpeg';
import type { Exchange } from './http';
import { DemoError, numberField, parseSize, readJson, requireString, sendBytes } from './http';
import { patternParams, renderPattern } from './pattern';

const FPS = 8;
const DEFAULT_SECONDS = 2;
const MAX_SECONDS = 10;
const MAX_SIDE = 512;

export async function videoGenerations(ex: Exchange): Promise<void> {
  const body = await readJson(ex.req);
  const model = resolveModel(body.model, 'video');
  const prompt = requireString(body, 'prompt');
  const seconds = numberField(body, 'duration', DEFAULT_SECONDS, 1 / FPS, MAX_SECONDS);
  // yuv420p needs even dimensions.
  const [w, h] = parseSize(body.size, [64, 64], MAX_SIDE, true);
  const ff = await findFfmpeg();
  const codec = ff?.encoders.has('libx264') ? 'libx264' : ff?.encoders.has('mpeg4') ? 'mpeg4' : null;
  if (!ff || !codec) throw new DemoError(503, 'unavailable', 'Video generation needs ffmpeg on this machine');

  const params = patternParams('video', model.id, prompt);
  const frames = Math.max(1, Math.round(seconds * FPS));
  const raw = Buffer.concat(Array.from({ length: frames }, (_, t) => renderPattern(w, h, params, t)));
  // +faststart rewrites the file after encoding, which a pipe can't do, hence the temp file.
  const dir = await mkdtemp(join(tmpdir(), 'demo-video-'));
  try {
    const out = join(dir, 'out.mp4');
    const codecArgs = codec === 'libx264' ? ['-preset', 'veryfast', '-threads', '1'] : ['-q:v', '5'];
    await runFfmpeg(
      ff,
      [
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        '-s',
        `${w}x${h}`,
        '-r',
        String(FPS),
        '-i',
        'pipe:0',
        '-c:v',
        codec,
        ...codecArgs,
        '-pix_fmt',
        'yuv420p',
        ...BITEXACT,
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
        out,
      ],
      raw,
      ex.signal,
    );
    const mp4 = await readFile(out);
    if (!ex.signal.aborted) sendBytes(ex.res, 'video/mp4', mp4);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * ffmpeg access for the demo provider (a test fixture): encodes the synthetic audio and video
 * into real Opus/MP3/MP4 files. Optional; endpoints that need it say so when it is missing.
 */
import { spawn } from 'node:child_process';

export interface Ffmpeg {
  path: string;
  encoders: Set<string>;
}

/** Flags that keep ffmpeg's output byte-identical between runs (no random Ogg serials, no dates). */
export const BITEXACT = ['-fflags', '+bitexact', '-flags', '+bitexact', '-map_metadata', '-1'];

let probed: Promise<Ffmpeg | null> | undefined;

/** Probed once per process: spawning ffmpeg just to list encoders costs tens of milliseconds. */
export function findFfmpeg(): Promise<Ffmpeg | null> {
  probed ??= new Promise((resolve) => {
    const path = process.env.FFMPEG_PATH || 'ffmpeg';
    const child = spawn(path, ['-hide_banner', '-encoders'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.on('error', () => resolve(null));
    child.on('close', (code) => {
      if (code !== 0) return resolve(null);
      const encoders = new Set<string>();
      for (const line of Buffer.concat(out).toString('utf8').split('\n')) {
        const m = /^\s[VAS][.A-Z]{5}\s+(\S+)/.exec(line);
        if (m) encoders.add(m[1]);
      }
      resolve({ path, encoders });
    });
  });
  return probed;
}

/** Runs ffmpeg with `input` on stdin; resolves with stdout. Killed if `signal` aborts. */
export function runFfmpeg(ff: Ffmpeg, args: string[], input: Buffer, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(ff.path, ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      signal,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    // ffmpeg may exit (e.g. on a bad argument) before reading all of stdin.
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`ffmpeg exited with ${code}: ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.end(input);
  });
}

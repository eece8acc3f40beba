/** Delivers synthetic PCM in the requested container for the demo provider (a test fixture). */
import type { Ffmpeg } from './ffmpeg';
import { BITEXACT, findFfmpeg, runFfmpeg } from './ffmpeg';
import type { Exchange } from './http';
import { badRequest, sendBytes } from './http';
import { encodeWav, pcmBytes, wavHeader } from './wav';

interface AudioFormat {
  name: string;
  contentType: string;
  /** ffmpeg encoder and output arguments; absent for formats written natively. */
  encoder?: string;
  args?: string[];
}

const FORMATS: Record<string, AudioFormat> = {
  wav: { name: 'wav', contentType: 'audio/wav' },
  pcm: { name: 'pcm', contentType: 'audio/pcm' },
  opus: { name: 'opus', contentType: 'audio/ogg', encoder: 'libopus', args: ['-b:a', '32k', '-f', 'ogg'] },
  mp3: { name: 'mp3', contentType: 'audio/mpeg', encoder: 'libmp3lame', args: ['-b:a', '64k', '-f', 'mp3'] },
  flac: { name: 'flac', contentType: 'audio/flac', encoder: 'flac', args: ['-f', 'flac'] },
  aac: { name: 'aac', contentType: 'audio/aac', encoder: 'aac', args: ['-b:a', '64k', '-f', 'adts'] },
};

export function audioFormat(value: unknown, fallback = 'wav'): AudioFormat {
  const name = value === undefined || value === null || value === '' ? fallback : value;
  const format = typeof name === 'string' ? FORMATS[name] : undefined;
  if (!format) throw badRequest(`'response_format' must be one of ${Object.keys(FORMATS).join(', ')}`);
  return format;
}

/** Call before synthesis: fails fast when the format needs an encoder this machine lacks. */
export async function requireEncoder(format: AudioFormat): Promise<Ffmpeg | null> {
  if (!format.encoder) return null;
  const ff = await findFfmpeg();
  if (!ff || !ff.encoders.has(format.encoder)) {
    throw badRequest(`response_format '${format.name}' needs ffmpeg with ${format.encoder}`, 'unsupported_format');
  }
  return ff;
}

const STREAM_CHUNK_BYTES = 24_000;

/** Writes header then PCM in slices, yielding between them so a disconnect stops the loop. */
async function streamPcm(ex: Exchange, contentType: string, head: Buffer | null, pcm: Buffer): Promise<void> {
  ex.res.writeHead(200, { 'content-type': contentType });
  if (head) ex.res.write(head);
  for (let off = 0; off < pcm.length; off += STREAM_CHUNK_BYTES) {
    if (ex.signal.aborted) return;
    ex.res.write(pcm.subarray(off, off + STREAM_CHUNK_BYTES));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  ex.res.end();
}

export async function sendAudio(
  ex: Exchange,
  format: AudioFormat,
  samples: Int16Array,
  rate: number,
  channels: number,
  stream = false,
): Promise<void> {
  const ff = await requireEncoder(format);
  if (!ff) {
    const pcm = pcmBytes(samples);
    const head = format.name === 'wav' ? wavHeader(pcm.length, rate, channels) : null;
    if (stream) return streamPcm(ex, format.contentType, head, pcm);
    sendBytes(ex.res, format.contentType, head ? Buffer.concat([head, pcm]) : pcm);
    return;
  }
  const wav = encodeWav(samples, rate, channels);
  const args = ['-f', 'wav', '-i', 'pipe:0', '-c:a', format.encoder as string, ...BITEXACT, ...(format.args ?? [])];
  const encoded = await runFfmpeg(ff, [...args, 'pipe:1'], wav, ex.signal);
  if (!ex.signal.aborted) sendBytes(ex.res, format.contentType, encoded);
}

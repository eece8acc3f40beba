/** RIFF/WAVE PCM writer and header reader for the demo provider (a test fixture). */
import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  dataBytes: number;
  durationSeconds: number;
}

export function wavHeader(dataBytes: number, sampleRate: number, channels: number): Buffer {
  const h = Buffer.alloc(44);
  const blockAlign = channels * 2;
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** Interleaved 16-bit samples as a little-endian buffer; zero-copy on little-endian hosts. */
export function pcmBytes(samples: Int16Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i], i * 2);
  return out;
}

export function encodeWav(samples: Int16Array, sampleRate: number, channels: number): Buffer {
  const pcm = pcmBytes(samples);
  return Buffer.concat([wavHeader(pcm.length, sampleRate, channels), pcm]);
}

/** Walks the RIFF chunks, so WAVs with LIST/fact chunks before `data` parse too. */
export function parseWav(buf: Buffer): WavInfo | null {
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') {
    return null;
  }
  let fmt: { channels: number; sampleRate: number; byteRate: number; bitsPerSample: number } | null = null;
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('latin1', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    if (id === 'fmt ' && pos + 24 <= buf.length) {
      fmt = {
        channels: buf.readUInt16LE(pos + 10),
        sampleRate: buf.readUInt32LE(pos + 12),
        byteRate: buf.readUInt32LE(pos + 16),
        bitsPerSample: buf.readUInt16LE(pos + 22),
      };
    } else if (id === 'data' && fmt && fmt.byteRate > 0) {
      // Streamed WAVs often carry a placeholder size; trust the bytes actually present.
      const dataBytes = Math.min(size, buf.length - pos - 8);
      return {
        sampleRate: fmt.sampleRate,
        channels: fmt.channels,
        bitsPerSample: fmt.bitsPerSample,
        dataBytes,
        durationSeconds: dataBytes / fmt.byteRate,
      };
    }
    pos += 8 + size + (size % 2);
  }
  return null;
}

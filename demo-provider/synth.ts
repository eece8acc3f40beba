/**
 * Tone synthesis for the demo provider (a test/benchmark fixture): speech-like beeps per
 * character and small melodies, all derived from hashes so the same request gives the same PCM.
 */
import { prng, seed32 } from './hash';

// Module constants, not `Math.sin` in the loops: the tests run this file inside jest's `vm` context,
// where every global lookup goes through the context's interceptors; per sample, that made half a
// minute of music take seconds instead of about 150 ms.
const { sin, exp, pow, round, floor, ceil, max, PI } = Math;

export const SPEECH_RATE = 24_000;
export const MUSIC_RATE = 44_100;
const SECONDS_PER_CHAR = 0.06;
const MIN_SPEECH_SECONDS = 0.5;

/** Roughly OpenAI's speech length: 0.06 s per character at speed 1, never under half a second. */
export function speechSeconds(text: string, speed: number): number {
  return max(MIN_SPEECH_SECONDS, (text.length * SECONDS_PER_CHAR) / speed);
}

export function synthSpeech(text: string, voiceKey: string, speed: number): Int16Array {
  const total = round(speechSeconds(text, speed) * SPEECH_RATE);
  const out = new Int16Array(total);
  const perChar = max(1, round((SECONDS_PER_CHAR / speed) * SPEECH_RATE));
  const voiceSeed = seed32('voice', voiceKey);
  const base = 110 + (voiceSeed % 160);
  const wobble = 2 + (voiceSeed % 5);
  for (let c = 0; c < text.length; c++) {
    const code = text.charCodeAt(c);
    // Whitespace and punctuation stay silent, which gives the "speech" its word rhythm.
    if (!/[\p{L}\p{N}]/u.test(text[c])) continue;
    const freq = base * pow(2, ((code * 7 + voiceSeed) % 24) / 24);
    const start = c * perChar;
    for (let i = 0; i < perChar && start + i < total; i++) {
      const t = i / SPEECH_RATE;
      const env = sin((PI * i) / perChar);
      const v = sin(2 * PI * freq * t) + 0.3 * sin(2 * PI * freq * 2 * t + wobble);
      out[start + i] = round(env * v * 9000);
    }
  }
  return out;
}

const PENTATONIC = [0, 2, 4, 7, 9];

/**
 * Interleaved stereo at 44.1 kHz: a melody over a bass line, tempo and key from the prompt. Yields
 * to the event loop after each note: half a minute of audio is millions of samples, and the demo
 * provider often shares its process with the agent in front of it (tests), whose task heartbeats
 * must not wait for the whole track.
 */
export async function synthMusic(prompt: string, seconds: number): Promise<Int16Array> {
  const frames = round(seconds * MUSIC_RATE);
  const out = new Int16Array(frames * 2);
  const next = prng(seed32('music', prompt));
  const bpm = 80 + floor(next() * 60);
  const root = 196 * pow(2, floor(next() * 12) / 12);
  const beat = round((60 / bpm / 2) * MUSIC_RATE);
  const notes = ceil(frames / beat);
  const pan = 0.3 + next() * 0.4;
  for (let n = 0; n < notes; n++) {
    const degree = PENTATONIC[floor(next() * PENTATONIC.length)] + 12 * floor(next() * 2);
    const melody = root * pow(2, degree / 12);
    const bass = (root / 2) * pow(2, PENTATONIC[floor(n / 8) % PENTATONIC.length] / 12);
    const start = n * beat;
    for (let i = 0; i < beat && start + i < frames; i++) {
      const t = (start + i) / MUSIC_RATE;
      const env = exp((-3 * i) / beat);
      const m = sin(2 * PI * melody * t) * env * 7000;
      const b = sin(2 * PI * bass * t) * 4000;
      out[(start + i) * 2] = round(m * (1 - pan) + b);
      out[(start + i) * 2 + 1] = round(m * pan + b);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

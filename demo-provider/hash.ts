/**
 * Deterministic seeds for the demo provider (a test/benchmark fixture). Every output is derived
 * from these so the same request always yields the same bytes.
 */
import { createHash } from 'node:crypto';

export function sha256(...parts: (string | Buffer)[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    // A separator keeps ("ab","c") and ("a","bc") from colliding.
    h.update('\u0000');
  }
  return h.digest();
}

export function hexHash(...parts: (string | Buffer)[]): string {
  return sha256(...parts).toString('hex');
}

/** A 32-bit seed; enough entropy for picking words, colours and tones. */
export function seed32(...parts: (string | Buffer)[]): number {
  return sha256(...parts).readUInt32BE(0);
}

/** mulberry32: tiny, fast and identical on every platform, unlike Math.random. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const WORDS = [
  'amber',
  'bright',
  'calm',
  'delta',
  'echo',
  'fable',
  'garden',
  'harbor',
  'island',
  'jade',
  'kindle',
  'lantern',
  'meadow',
  'nimbus',
  'orbit',
  'prism',
  'quartz',
  'river',
  'signal',
  'tundra',
  'umbra',
  'velvet',
  'willow',
  'xenon',
  'yonder',
  'zephyr',
  'cobalt',
  'ember',
  'falcon',
  'glacier',
  'horizon',
  'ivory',
] as const;

export function pickWords(seed: number, count: number): string[] {
  const next = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(WORDS[Math.floor(next() * WORDS.length)]);
  return out;
}

/** Fixed epoch so `created` fields never vary between runs. */
export const DEMO_EPOCH = 1_700_000_000;

/** Seeded RGB patterns shared by the demo provider's image and video output (a test fixture). */
import { sha256 } from './hash';

/** Triangle wave over 512 steps; integer-only so every platform renders the same pixels. */
function tri(t: number): number {
  // No `Math.abs`: a global lookup per pixel is slow inside the tests' `vm` context (see synth.ts).
  const d = (t & 511) - 256;
  const v = d < 0 ? -d : d;
  return v > 255 ? 255 : v;
}

export interface PatternParams {
  a: number[];
  palette: number[];
}

export function patternParams(...seedParts: (string | Buffer)[]): PatternParams {
  const h = sha256(...seedParts);
  return {
    a: Array.from({ length: 8 }, (_, i) => 1 + (h[i] % 5)),
    palette: Array.from(h.subarray(8, 17)),
  };
}

/** One frame; `t` shifts the phases so consecutive video frames move. */
export function renderPattern(width: number, height: number, p: PatternParams, t = 0): Buffer {
  const out = Buffer.alloc(width * height * 3);
  const [a0, a1, a2, a3, a4, a5, a6, a7] = p.a;
  const pal = p.palette;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const v = ((y * 256) / height) | 0;
    for (let x = 0; x < width; x++) {
      const u = ((x * 256) / width) | 0;
      const w1 = tri(u * a0 + v * a1 + a6 * 37 + t * 8);
      const w2 = tri(u * a2 - v * a3 + a7 * 53 - t * 6);
      const w3 = tri(((((u - 128) * (u - 128) + (v - 128) * (v - 128)) * a4) >> 7) + a5 * 29 + t * 4);
      out[o++] = ((pal[0] * w1 + pal[3] * w2 + pal[6] * w3) / 765) | 0;
      out[o++] = ((pal[1] * w1 + pal[4] * w2 + pal[7] * w3) / 765) | 0;
      out[o++] = ((pal[2] * w1 + pal[5] * w2 + pal[8] * w3) / 765) | 0;
    }
  }
  return out;
}

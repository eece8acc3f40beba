/** Deterministic "model output" for the demo provider's text endpoints (a test fixture). */
import { badRequest } from './http';
import { DEMO_EPOCH, hexHash, pickWords, seed32 } from './hash';

export interface TextReply {
  /** Stream pieces; joined they equal the full content (later pieces carry a leading space). */
  pieces: string[];
  finishReason: 'stop' | 'length';
}

const ECHO_WORDS = 12;
const ECHO_WORD_CHARS = 40;

export function countTokens(text: string): number {
  const t = text.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}

/** `minWords` pads the reply with more hash-chosen words (the slow model "thinks aloud"). */
export function replyTo(seedInput: string, prompt: string, maxTokens: number | null, minWords = 0): TextReply {
  // Long words are cut, so a huge prompt gets an echo of a sensible size.
  const echoed = prompt
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => (w.length > ECHO_WORD_CHARS ? `${w.slice(0, ECHO_WORD_CHARS)}…` : w));
  const shown = echoed.slice(0, ECHO_WORDS).join(' ') + (echoed.length > ECHO_WORDS ? '…' : '');
  const seed = seed32(seedInput);
  const extra = pickWords(seed, Math.max(4 + (seed % 7), minWords));
  const words = `Demo reply to: ${shown}`.split(/\s+/).filter(Boolean).concat(extra);
  words[words.length - 1] += '.';
  const truncated = maxTokens !== null && words.length > maxTokens;
  const kept = truncated ? words.slice(0, maxTokens) : words;
  return {
    pieces: kept.map((w, i) => (i === 0 ? w : ` ${w}`)),
    finishReason: truncated ? 'length' : 'stop',
  };
}

/** A fixed text (a JSON answer) as a reply: one piece per word, each with the whitespace before it. */
export function fixedReply(text: string, maxTokens: number | null): TextReply {
  const words = text.match(/\s*\S+/g) ?? [];
  const truncated = maxTokens !== null && words.length > maxTokens;
  return { pieces: truncated ? words.slice(0, maxTokens) : words, finishReason: truncated ? 'length' : 'stop' };
}

export function maxTokensOf(body: Record<string, unknown>): number | null {
  const v = body.max_completion_tokens ?? body.max_tokens;
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw badRequest("'max_tokens' must be a positive integer");
  }
  return v;
}

/** Id and timestamp both come from the request so replays are byte-identical. */
export function identity(prefix: string, seedInput: string): { id: string; created: number } {
  const h = hexHash(seedInput);
  return { id: `${prefix}-${h.slice(0, 24)}`, created: DEMO_EPOCH + (parseInt(h.slice(24, 30), 16) % 1_000_000) };
}

import { PLATFORM_FIELDS } from './platform-fields';

/** Strings longer than this are cut in the history (a prompt is rarely longer). */
const MAX_STRING = 8000;
/** The whole summary's budget (JSON characters); past it, only the prompt-like fields stay. */
const MAX_SUMMARY = 32_000;
/** Lists longer than this keep their last items (a chat's latest turns). */
const MAX_ITEMS = 50;
/** Field names that may hold a credential: never kept. */
const SECRET = /(^|_)(api_?key|secret|token|password|authorization|credentials?)$/i;
/** What a person recognizes a request by, kept when the rest is too large. */
const ESSENTIAL = ['model', 'prompt', 'messages', 'input', 'lyrics', 'text', 'voice', 'size', 'n'];

/**
 * What was asked, as the member's history shows it: the body without platform fields, credentials,
 * inline bytes (data: URLs and base64 become a placeholder; uploads are kept as input assets) or
 * very long strings. Pure and bounded, so it can travel in a workflow's input.
 */
export function historyInput(body: Record<string, unknown>): Record<string, unknown> {
  const summary = summarize(body, 0) as Record<string, unknown>;
  for (const field of [...PLATFORM_FIELDS, 'stream_options']) delete summary[field];
  if (JSON.stringify(summary).length <= MAX_SUMMARY) return summary;
  const essential: Record<string, unknown> = { truncated: true };
  for (const field of ESSENTIAL) if (field in summary) essential[field] = summary[field];
  const text = JSON.stringify(essential);
  return text.length <= MAX_SUMMARY ? essential : { truncated: true, model: summary.model };
}

function summarize(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return summarizeString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[…]';
  if (Array.isArray(value)) {
    const kept = value.length > MAX_ITEMS ? value.slice(-MAX_ITEMS) : value;
    return kept.map((v) => summarize(v, depth + 1));
  }
  const out: Record<string, unknown> = {};
  for (const [rawKey, v] of Object.entries(value)) {
    if (SECRET.test(rawKey)) continue;
    const k = summarizeString(rawKey);
    out[k] = k === 'b64_json' || k === 'audio_b64' ? '[bytes]' : summarize(v, depth + 1);
  }
  return out;
}

/** Postgres text and jsonb hold no NUL character: one a client or model sends is kept as U+FFFD. */
export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replace(/\u0000/g, '\uFFFD') : text;
}

function summarizeString(raw: string): string {
  const value = withoutNul(raw);
  if (value.startsWith('data:')) return `[${value.slice(5, value.indexOf(';') > 0 ? value.indexOf(';') : 20)} data]`;
  return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
}

/**
 * `extract: "json"`: finds the JSON value in a model's text answer. Pure (no imports, no I/O, no
 * clock), so the run workflow calls it directly; the same text always gives the same answer.
 *
 * Models wrap JSON in code fences, put prose before and after it, and now and then leave a trailing
 * comma. In order, the first that parses wins:
 *  1. the content of a fenced block (```json ... ``` or a bare ``` ... ```), in order of appearance;
 *  2. the first balanced `{...}` or `[...]` span, found with a string-aware bracket matcher (brackets
 *     inside JSON strings, escaped quotes included, do not count). A balanced span that does not
 *     parse is skipped whole; an opening bracket that never closes is passed over, so the search
 *     goes on inside it;
 *  3. the whole text (so a bare `42` or `"yes"` is accepted too).
 */

export type ExtractJsonResult = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * How many characters the bracket scan may read in all before it gives up. Each opening bracket
 * starts a scan that may run to the end of the text, so text full of unclosed brackets would
 * otherwise cost quadratic time inside a workflow task.
 */
const SCAN_BUDGET = 4_000_000;

/** How long a quoted excerpt of the answer may be in a failure message. */
const EXCERPT_CHARS = 60;

const FENCE = /```[^\n`]*\n([\s\S]*?)```/g;

export function extractJson(text: string): ExtractJsonResult {
  if (typeof text !== 'string') return { ok: false, message: 'The model’s answer is not text.' };
  if (text.trim() === '') return { ok: false, message: 'The model’s answer is empty.' };

  // 1. Fenced blocks, first to last.
  for (const match of text.matchAll(FENCE)) {
    const parsed = parseTolerant(match[1]);
    if (parsed.ok) return parsed;
  }

  // 2. Balanced spans, each opening bracket in turn.
  let budget = SCAN_BUDGET;
  let firstFailure: { start: number; reason: string } | undefined;
  let sawBracket = false;
  for (let start = 0; start < text.length && budget > 0; start++) {
    const c = text[start];
    if (c !== '{' && c !== '[') continue;
    sawBracket = true;
    const span = matchBrackets(text, start, budget);
    budget -= span.scanned;
    if (span.end === undefined) {
      firstFailure ??= { start, reason: span.reason };
      continue;
    }
    const parsed = parseTolerant(text.slice(start, span.end));
    if (parsed.ok) return parsed;
    firstFailure ??= { start, reason: `does not parse (${parsed.message}).` };
    // A balanced span that is not JSON (`{name: 'x'}`, `[see below]`) is skipped whole: a fragment
    // of a broken object is not what the model meant.
    start = span.end - 1;
  }

  // 3. The whole text.
  const whole = parseTolerant(text);
  if (whole.ok) return whole;

  if (!sawBracket) {
    return { ok: false, message: `The model’s answer holds no JSON object or array: ${excerpt(text, 0)}` };
  }
  if (firstFailure) {
    return {
      ok: false,
      message: `The model’s answer holds no JSON that parses: the first candidate, ${excerpt(text, firstFailure.start)}, ${firstFailure.reason}`,
    };
  }
  return { ok: false, message: `The model’s answer is too long to search for JSON: ${excerpt(text, 0)}` };
}

type Span = { end: number; scanned: number } | { end: undefined; scanned: number; reason: string };

/**
 * Matches the bracket at `start` with its closer, skipping JSON strings (double quotes, with
 * backslash escapes). Returns the index just past the closer, or why there is none.
 */
function matchBrackets(text: string, start: number, budget: number): Span {
  const closers: string[] = [];
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    if (i - start >= budget) return { end: undefined, scanned: i - start, reason: 'is too long to search.' };
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') closers.push('}');
    else if (c === '[') closers.push(']');
    else if (c === '}' || c === ']') {
      if (closers.pop() !== c) {
        return { end: undefined, scanned: i - start + 1, reason: `has a stray "${c}".` };
      }
      if (closers.length === 0) return { end: i + 1, scanned: i - start + 1 };
    }
  }
  return {
    end: undefined,
    scanned: text.length - start,
    reason: `never closes ${inString ? 'a string' : 'its brackets'}: was the answer cut off?`,
  };
}

/** JSON.parse, then, if that fails, again with trailing commas removed. */
function parseTolerant(candidate: string): ExtractJsonResult {
  const trimmed = candidate.trim();
  if (trimmed === '') return { ok: false, message: 'empty' };
  try {
    return { ok: true, value: JSON.parse(trimmed) };
  } catch (err) {
    const stripped = stripTrailingCommas(trimmed);
    if (stripped !== trimmed) {
      try {
        return { ok: true, value: JSON.parse(stripped) };
      } catch {
        // Report the first error: the one about the text the model wrote.
      }
    }
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Trailing commas are tolerated: a comma directly before `}` or `]` (whitespace between allowed),
 * outside strings, is removed. Models write `[1, 2, 3,]` now and then; nothing else is repaired.
 */
function stripTrailingCommas(json: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === ',') {
      let j = i + 1;
      while (j < json.length && (json[j] === ' ' || json[j] === '\t' || json[j] === '\n' || json[j] === '\r')) j++;
      if (json[j] === '}' || json[j] === ']') continue;
    }
    out += c;
  }
  return out;
}

/** A short quote of the text from `start`, whitespace collapsed, for failure messages. */
function excerpt(text: string, start: number): string {
  const flat = text
    .slice(start, start + EXCERPT_CHARS * 4)
    .replace(/\s+/g, ' ')
    .trim();
  const short = flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
  return JSON.stringify(short);
}

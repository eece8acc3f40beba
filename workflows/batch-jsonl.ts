/**
 * The Batch API's input format, one JSON object a line (OpenAI's "request input object"):
 * `{"custom_id": "...", "method": "POST", "url": "/v1/chat/completions", "body": {...}}`.
 *
 * Pure (no Node built-ins, no imports), so the API, activities and workflow code may all use it:
 * `POST /v1/files` checks a `purpose=batch` upload with it, and `POST /v1/batches` can read its
 * `input_file_id` back through it.
 */

/** The endpoints a batch line may name as its `url`. */
export const BATCH_ENDPOINTS = [
  '/v1/chat/completions',
  '/v1/completions',
  '/v1/images/generations',
  '/v1/audio/speech',
  '/v1/music/generations',
  '/v1/videos/generations',
  '/v1/3d/generations',
] as const;

export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

/** OpenAI's limit on the requests of one batch; `maxRequests` lowers it. */
export const MAX_BATCH_REQUESTS = 50_000;
/** Problems kept in detail (and listed in an error message); the rest are only counted. */
export const MAX_BATCH_PROBLEMS = 50;
export const MAX_CUSTOM_ID_LENGTH = 512;
/** Lines nested deeper than this are refused before they are parsed, as JSON bodies are. */
const MAX_LINE_DEPTH = 64;

/** One valid line. */
export interface BatchInputLine {
  /** 1-based line number in the file (blank lines count). */
  line: number;
  custom_id: string;
  method: 'POST';
  url: BatchEndpoint;
  body: Record<string, unknown>;
}

export interface BatchLineProblem {
  /** 1-based line number; null for a problem of the whole file (no requests, too many). */
  line: number | null;
  /** The line's field at fault (`custom_id`, `url`, `body.stream`); null when the line itself is (not JSON). */
  field: string | null;
  message: string;
}

export type BatchJsonlResult =
  | { ok: true; items: BatchInputLine[] }
  | {
      ok: false;
      /** The first MAX_BATCH_PROBLEMS problems (or `maxProblems`), in file order. */
      problems: BatchLineProblem[];
      /** Every problem found, listed or not. */
      total: number;
    };

export interface BatchJsonlOptions {
  /** At most this many requests (non-blank lines); MAX_BATCH_REQUESTS by default. */
  maxRequests?: number;
  /** When set, every line's `url` must be this endpoint (a batch's `endpoint`). */
  endpoint?: string;
  /** Problems kept in detail; MAX_BATCH_PROBLEMS by default. */
  maxProblems?: number;
}

/**
 * Parses and checks a batch input file: UTF-8 JSONL, every non-blank line a request object with a
 * `custom_id` unique within the file, `method` "POST", a batchable `url` and an object `body`
 * (never `stream: true`: nobody reads a batch's answers as a stream). Returns every line, or every
 * problem (each with its line number and field; the first `maxProblems` in detail, the rest counted).
 * A file with more than `maxRequests` requests stops at the first one too many.
 */
export function parseBatchJsonl(input: string | Uint8Array, options: BatchJsonlOptions = {}): BatchJsonlResult {
  const maxRequests = options.maxRequests ?? MAX_BATCH_REQUESTS;
  const maxProblems = options.maxProblems ?? MAX_BATCH_PROBLEMS;
  const items: BatchInputLine[] = [];
  const problems: BatchLineProblem[] = [];
  let total = 0;
  const problem = (line: number | null, field: string | null, message: string) => {
    total += 1;
    if (problems.length < maxProblems) problems.push({ line, field, message });
  };
  const seen = new Map<string, number>();
  let requests = 0;

  for (const { number, text } of lines(input)) {
    if (text === undefined) {
      requests += 1;
      if (requests > maxRequests) break;
      problem(number, null, 'is not UTF-8 text');
      continue;
    }
    if (text.trim() === '') continue;
    requests += 1;
    if (requests > maxRequests) break;
    const item = checkLine(number, text, seen, options.endpoint, problem);
    if (item) items.push(item);
  }

  if (requests > maxRequests) {
    problem(null, null, `The file has more than ${maxRequests} requests (one a line), the most one batch may hold.`);
  } else if (requests === 0) {
    problem(null, null, 'The file holds no requests: expected one JSON object a line.');
  }
  return total === 0 ? { ok: true, items } : { ok: false, problems, total };
}

/** The problems as one message, for an error answer: at most `problems.length` listed, the rest counted. */
export function describeBatchProblems(result: { problems: BatchLineProblem[]; total: number }): string {
  const listed = result.problems.map((p) => (p.line === null ? p.message : `line ${p.line}: ${p.message}`));
  const more = result.total - result.problems.length;
  const head = result.total === 1 ? 'The batch file has a problem' : `The batch file has ${result.total} problems`;
  const tail = more > 0 ? `; and ${more} more` : '';
  const hint =
    'Each line must be a JSON object {"custom_id": a string unique in the file, "method": "POST", ' +
    `"url": one of ${BATCH_ENDPOINTS.join(', ')}, "body": an object}.`;
  return `${head}: ${listed.join('; ')}${tail}. ${hint}`;
}

type Report = (line: number | null, field: string | null, message: string) => void;

function checkLine(
  number: number,
  text: string,
  seen: Map<string, number>,
  endpoint: string | undefined,
  problem: Report,
): BatchInputLine | undefined {
  if (nestingDepth(text) > MAX_LINE_DEPTH) {
    problem(number, null, `is nested more than ${MAX_LINE_DEPTH} levels deep`);
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    problem(number, null, 'is not valid JSON');
    return undefined;
  }
  if (!isObject(value)) {
    problem(number, null, 'is not a JSON object');
    return undefined;
  }
  let valid = true;
  const bad = (field: string, message: string) => {
    valid = false;
    problem(number, field, message);
  };

  const { custom_id: customId, method, url, body } = value;
  if (customId === undefined) bad('custom_id', "'custom_id' is missing");
  else if (typeof customId !== 'string') bad('custom_id', "'custom_id' must be a string");
  else if (customId === '') bad('custom_id', "'custom_id' is empty");
  else if (customId.length > MAX_CUSTOM_ID_LENGTH) {
    bad('custom_id', `'custom_id' is longer than ${MAX_CUSTOM_ID_LENGTH} characters`);
  } else {
    const first = seen.get(customId);
    if (first !== undefined) bad('custom_id', `'custom_id' ${quote(customId)} repeats the one of line ${first}`);
    else seen.set(customId, number);
  }

  if (method === undefined) bad('method', "'method' is missing");
  else if (method !== 'POST') bad('method', `'method' must be "POST"`);

  if (url === undefined) bad('url', "'url' is missing");
  else if (typeof url !== 'string') bad('url', "'url' must be a string");
  else if (!(BATCH_ENDPOINTS as readonly string[]).includes(url)) {
    bad('url', `'url' ${quote(url)} is not a batchable endpoint`);
  } else if (endpoint !== undefined && url !== endpoint) {
    bad('url', `'url' ${quote(url)} is not the batch's endpoint ${endpoint}`);
  }

  if (body === undefined) bad('body', "'body' is missing");
  else if (!isObject(body)) bad('body', "'body' must be a JSON object");
  else if (body.stream === true) bad('body.stream', "'body.stream' must not be true: batch answers are not streamed");

  if (!valid) return undefined;
  return {
    line: number,
    custom_id: customId as string,
    method: 'POST',
    url: url as BatchEndpoint,
    body: body as Record<string, unknown>,
  };
}

/** The file's lines, 1-based, without `\n` / `\r\n` and a leading BOM; `text` undefined for a line that is not UTF-8. */
function* lines(input: string | Uint8Array): Generator<{ number: number; text: string | undefined }> {
  let number = 0;
  if (typeof input === 'string') {
    let start = input.charCodeAt(0) === 0xfeff ? 1 : 0;
    while (start <= input.length) {
      const end = input.indexOf('\n', start);
      const stop = end === -1 ? input.length : end;
      number += 1;
      if (!(end === -1 && start === stop)) yield { number, text: stripCr(input.slice(start, stop)) };
      if (end === -1) return;
      start = end + 1;
    }
    return;
  }
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let start = 0;
  while (start <= input.length) {
    const end = input.indexOf(0x0a, start);
    const stop = end === -1 ? input.length : end;
    number += 1;
    if (!(end === -1 && start === stop)) {
      let text: string | undefined;
      try {
        // ignoreBOM: false drops a leading BOM (the file's, at the start of its first line).
        text = stripCr(decoder.decode(input.subarray(start, stop)));
      } catch {
        text = undefined;
      }
      yield { number, text };
    }
    if (end === -1) return;
    start = end + 1;
  }
}

const stripCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value for a message: JSON-quoted and cut short, so a 1 MB custom_id does not make a 1 MB error. */
const quote = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);

/** The deepest bracket nesting in a JSON text, skipping strings; one pass, no recursion. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return deepest;
}

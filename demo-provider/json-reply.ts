/**
 * JSON answers of the demo provider (a test fixture): a prompt that asks for JSON and shows the
 * shape it wants (`Return JSON: {"titles": ["..."]}`), or a request with `response_format` of type
 * `json_object` / `json_schema`, is answered with deterministic JSON of that shape, so workflow
 * steps that parse a model's JSON (templates/) run end to end against the fixture.
 *
 * - Shape: the first bracketed example in the prompt that parses once its placeholders are
 *   tolerated (`...`, `…`, `"..."`, unquoted keys, single quotes, trailing commas, the bare type
 *   words `string`, `number`, `integer`, `boolean`); with `json_schema`, the schema itself.
 * - Strings: a short phrase of hash-chosen words that mentions the prompt's topic (the words after
 *   its first "about", else its first content words), so a later step visibly chains on it.
 * - Arrays: N items, N being the first integer of the prompt outside the example (1 to 20; 3 when
 *   none); each item follows the example's items in turn (a string when the example is empty).
 * - Objects keep the example's keys, in order; numbers, booleans and null keep their type.
 */
import { pickWords, seed32 } from './hash';

export interface JsonAsk {
  /** The example value (or, from a json_schema, the schema) the answer follows. */
  shape: { example: unknown } | { schema: unknown };
  /** How many items each array gets. */
  count: number;
  /** Words of the prompt's topic that every string mentions; may be empty. */
  topic: string[];
}

const DEFAULT_COUNT = 3;
const MAX_COUNT = 20;
const TOPIC_WORDS = 6;
const MAX_DEPTH = 8;

const JSON_WORD = /\bjson\b/i;

/**
 * What the request asks for, or null when it does not ask for JSON. `prompt` is the last user
 * message; `instructions` are the system/developer messages, where the ask may be made instead.
 */
export function jsonAskOf(prompt: string, instructions: string[], responseFormat: unknown): JsonAsk | null {
  const format = formatOf(responseFormat);
  for (const source of [prompt, ...instructions]) {
    if (!JSON_WORD.test(source) && !format) continue;
    const found = findExample(source);
    if (!found) continue;
    // The count and topic come from the text around the example (and the user's own message).
    const rest = `${source.slice(0, found.start)} ${source.slice(found.end)}`;
    const context = source === prompt ? rest : `${prompt}\n${rest}`;
    const shape = format?.schema !== undefined ? { schema: format.schema } : { example: found.value };
    return { shape, count: countOf(context), topic: topicOf(context) };
  }
  if (!format) return null;
  return {
    shape: format.schema !== undefined ? { schema: format.schema } : { example: { reply: '...' } },
    count: countOf(prompt),
    topic: topicOf(prompt),
  };
}

/** The JSON text answering `ask`: compact, one line, deterministic for `seedInput`. */
export function jsonReplyText(seedInput: string, ask: JsonAsk): string {
  const gen = new Generator(seedInput, ask);
  const value = 'example' in ask.shape ? gen.fromExample(ask.shape.example, '$', '') : gen.fromSchema(ask.shape.schema);
  return JSON.stringify(value);
}

function formatOf(responseFormat: unknown): { schema?: unknown } | null {
  const format = responseFormat as { type?: unknown; json_schema?: { schema?: unknown } } | null | undefined;
  if (format?.type === 'json_object') return {};
  if (format?.type === 'json_schema') {
    const schema = format.json_schema?.schema;
    return typeof schema === 'object' && schema !== null ? { schema } : {};
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Finding the example

interface Example {
  value: unknown;
  start: number;
  end: number;
}

/** The first bracketed span that parses as an object or array: after the word JSON first, then anywhere. */
export function findExample(text: string): Example | null {
  const mention = text.search(JSON_WORD);
  const starts: number[] = [];
  for (let i = 0; i < text.length; i++) if (text[i] === '{' || text[i] === '[') starts.push(i);
  const ordered = mention < 0 ? starts : [...starts.filter((i) => i > mention), ...starts.filter((i) => i < mention)];
  for (const start of ordered) {
    const end = closingOf(text, start);
    if (end < 0) continue;
    const value = parseLoose(text.slice(start, end));
    if (value !== undefined) return { value, start, end };
  }
  return null;
}

/** The index just past the bracket matching the one at `start`, or -1 (strings skipped). */
function closingOf(text: string, start: number): number {
  const stack: string[] = [];
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i) - 1;
      if (i < 0) return -1;
    } else if (c === '{') stack.push('}');
    else if (c === '[') stack.push(']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}

/** The index just past the string literal opened by the quote at `start`, or 0 when unterminated. */
function stringEnd(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i + 1;
  }
  return 0;
}

const TYPE_WORDS: Record<string, string> = { string: '"..."', number: '0', integer: '0', boolean: 'false' };

/**
 * JSON.parse of an example written loosely, or undefined. Placeholders (`...`, `…`) are dropped,
 * unquoted keys and single-quoted strings are quoted, stray commas removed.
 */
export function parseLoose(span: string): unknown {
  const tokens: string[] = [];
  for (let i = 0; i < span.length;) {
    const c = span[i];
    if (/\s/.test(c)) i++;
    else if (span.startsWith('...', i) || c === '…') {
      while (span[i] === '.' || span[i] === '…') i++;
    } else if (c === '"' || c === "'") {
      const end = stringEnd(span, i);
      if (end === 0) return undefined;
      const body = span.slice(i + 1, end - 1);
      tokens.push(c === '"' ? span.slice(i, end) : JSON.stringify(body.replace(/\\'/g, "'")));
      i = end;
    } else if ('{}[]:,'.includes(c)) {
      tokens.push(c);
      i++;
    } else {
      const word = /^[A-Za-z0-9_$+\-.]+/.exec(span.slice(i))?.[0];
      if (!word) return undefined;
      tokens.push(word);
      i += word.length;
    }
  }
  const out: string[] = [];
  tokens.forEach((token, k) => {
    const next = tokens[k + 1];
    const previous = out[out.length - 1];
    if (token === ',' && (next === undefined || next === ',' || next === '}' || next === ']')) return;
    if (token === ',' && (previous === '{' || previous === '[')) return;
    if (/^[A-Za-z_$]/.test(token) && next === ':') out.push(JSON.stringify(token));
    else out.push(TYPE_WORDS[token] ?? token);
  });
  try {
    const value: unknown = JSON.parse(out.join(''));
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Count and topic

/** The first integer of the text, within 1 to 20; 3 when it has none. */
export function countOf(text: string): number {
  const m = /(?<![\w.])(\d{1,6})(?![\w]|\.\d)/.exec(text);
  if (!m) return DEFAULT_COUNT;
  return Math.min(MAX_COUNT, Math.max(1, Number(m[1])));
}

const STOP_WORDS = new Set(
  (
    'a an the of in on at for to and or but with as by from into onto over under this that these those it its ' +
    'is are be was were will would should can could may might must do does your you me my we our us their them ' +
    'they he she his her i so than then there here what which who whom how why when where all any each every ' +
    'some no not only just also very more most less same other such own both few many much'
  ).split(' '),
);
const INSTRUCTION_WORDS = new Set(
  (
    'return reply respond answer give make create generate write list split plan brainstorm describe use ' +
    'json object objects array arrays string strings number numbers key keys field fields value values shape ' +
    'format following below above exactly item items please only short long brief one two three four five ' +
    'six seven eight nine ten first last next output example like'
  ).split(' '),
);

/** The words after the first "about" (up to a stop; at most 6), else the first 3 content words. */
export function topicOf(text: string): string[] {
  const wordsOf = (s: string) => (s.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? []).filter((w) => !/^\d+$/.test(w));
  const about = /\babout\s+([^.!?:;,\n(){}[\]"]+)/i.exec(text);
  if (about) {
    const words = wordsOf(about[1]);
    // "about the sea" → "sea", "about a keeper who befriends a whale" → "keeper who befriends": cut
    // short, leading and trailing little words read badly.
    const kept = words.slice(0, TOPIC_WORDS + 1);
    while (kept.length > 1 && STOP_WORDS.has(kept[0].toLowerCase())) kept.shift();
    kept.length = Math.min(kept.length, TOPIC_WORDS);
    while (kept.length > 1 && STOP_WORDS.has(kept[kept.length - 1].toLowerCase())) kept.pop();
    if (kept.length > 0) return kept;
  }
  return wordsOf(text)
    .filter((w) => !STOP_WORDS.has(w.toLowerCase()) && !INSTRUCTION_WORDS.has(w.toLowerCase()))
    .slice(0, 3);
}

// ---------------------------------------------------------------------------------------------
// Generating the value

const CONNECTORS = ['of', 'for', 'in', 'beyond', 'under', 'with', 'across', 'near'] as const;
/** Keys whose strings are names rather than sentences: they get fewer words. */
const SHORT_KEYS = /^(title|name|label|heading|tag|key|id|genre|mood|style|colou?r|voice|slug|category|type)s?$/i;

class Generator {
  constructor(
    private readonly seedInput: string,
    private readonly ask: JsonAsk,
  ) {}

  /** A phrase for the string at `path` (`$.titles[2]`); `key` is the nearest object key. */
  phrase(path: string, key: string): string {
    const seed = seed32(this.seedInput, 'json', path);
    const short = SHORT_KEYS.test(key);
    const words = pickWords(seed, short ? 2 + (seed % 2) : 3 + (seed % 3));
    words[0] = words[0][0].toUpperCase() + words[0].slice(1);
    const topic = this.ask.topic.join(' ');
    const head = topic
      ? `${words.join(' ')} ${CONNECTORS[(seed >>> 8) % CONNECTORS.length]} ${topic}`
      : words.join(' ');
    if (short) return head;
    return `${head}, ${pickWords(seed32(this.seedInput, 'tail', path), 3 + ((seed >>> 16) % 4)).join(' ')}`;
  }

  fromExample(example: unknown, path: string, key: string, depth = 0): unknown {
    if (Array.isArray(example)) {
      if (depth >= MAX_DEPTH) return [];
      return Array.from({ length: this.ask.count }, (_, i) =>
        example.length === 0
          ? this.phrase(`${path}[${i}]`, key)
          : this.fromExample(example[i % example.length], `${path}[${i}]`, key, depth + 1),
      );
    }
    if (typeof example === 'object' && example !== null) {
      if (depth >= MAX_DEPTH) return {};
      return Object.fromEntries(
        Object.entries(example).map(([k, v]) => [k, this.fromExample(v, `${path}.${k}`, k, depth + 1)]),
      );
    }
    const seed = seed32(this.seedInput, 'json', path);
    if (typeof example === 'number') return Number.isInteger(example) ? 1 + (seed % 100) : (seed % 1000) / 100;
    if (typeof example === 'boolean') return seed % 2 === 0;
    if (example === null) return null;
    return this.phrase(path, key);
  }

  /** A value valid for a (simple) JSON Schema: types, properties, items, enum, const, bounds. */
  fromSchema(schema: unknown, path = '$', key = '', depth = 0): unknown {
    const s = (typeof schema === 'object' && schema !== null ? schema : {}) as Record<string, unknown>;
    const seed = seed32(this.seedInput, 'json', path);
    if ('const' in s) return s.const;
    if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[seed % s.enum.length];
    const branches = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
    if (Array.isArray(branches) && branches.length > 0) return this.fromSchema(branches[0], path, key, depth);
    const types = Array.isArray(s.type) ? s.type.filter((t) => t !== 'null') : [s.type];
    const type = types[0] ?? (s.properties ? 'object' : s.items ? 'array' : 'string');
    if (depth >= MAX_DEPTH) return type === 'array' ? [] : type === 'object' ? {} : null;
    switch (type) {
      case 'object': {
        const props = (s.properties ?? {}) as Record<string, unknown>;
        return Object.fromEntries(
          Object.entries(props).map(([k, v]) => [k, this.fromSchema(v, `${path}.${k}`, k, depth + 1)]),
        );
      }
      case 'array': {
        const min = typeof s.minItems === 'number' ? s.minItems : 0;
        const max = typeof s.maxItems === 'number' ? s.maxItems : MAX_COUNT;
        const n = Math.min(max, Math.max(min, this.ask.count));
        return Array.from({ length: n }, (_, i) => this.fromSchema(s.items, `${path}[${i}]`, key, depth + 1));
      }
      case 'integer':
      case 'number': {
        const min = typeof s.minimum === 'number' ? Math.ceil(s.minimum) : 1;
        const max = typeof s.maximum === 'number' ? Math.floor(s.maximum) : min + 99;
        return max >= min ? min + (seed % (max - min + 1)) : min;
      }
      case 'boolean':
        return seed % 2 === 0;
      case 'null':
        return null;
      default:
        return this.phrase(path, key);
    }
  }
}

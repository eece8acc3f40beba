/**
 * References inside a spec's strings: `{{inputs.topic}}`, `{{steps.plan.output.titles}}`,
 * `{{steps.frames.output[0].url}}`, and `{{item}}` / `{{index}}` inside a map's body. Pure, so
 * both the API's validator and the run workflow use it.
 */

export type RefSource = 'inputs' | 'steps' | 'item' | 'index';

export interface Reference {
  /** The text as written, braces included. */
  text: string;
  source: RefSource;
  /** The input's name or the step's id. */
  name?: string;
  /** Keys and indexes after `inputs.x`, `steps.id.output` or `item`. */
  path: (string | number)[];
}

const REF = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH_PART = /^(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d{1,6})\])/;

/** Parses the inside of one `{{...}}`; a string describing the problem when it is not a reference. */
export function parseReference(inner: string): Omit<Reference, 'text'> | string {
  let m: RegExpExecArray | null;
  let rest: string;
  let head: Omit<Reference, 'text' | 'path'>;
  if ((m = /^inputs\.([A-Za-z_][A-Za-z0-9_-]*)/.exec(inner))) {
    head = { source: 'inputs', name: m[1] };
  } else if ((m = /^steps\.([A-Za-z][A-Za-z0-9_-]*)\.output/.exec(inner))) {
    head = { source: 'steps', name: m[1] };
  } else if ((m = /^item/.exec(inner))) {
    head = { source: 'item' };
  } else if ((m = /^index$/.exec(inner))) {
    return { source: 'index', path: [] };
  } else {
    return `'{{${inner}}}' is not a reference: expected inputs.<name>, steps.<id>.output, item or index`;
  }
  rest = inner.slice(m[0].length);
  const path: (string | number)[] = [];
  while (rest.length > 0) {
    const part = PATH_PART.exec(rest);
    if (!part) return `'{{${inner}}}' has a path that is neither .key nor [index] at '${rest}'`;
    path.push(part[1] !== undefined ? part[1] : Number(part[2]));
    rest = rest.slice(part[0].length);
  }
  return { ...head, path };
}

export interface FoundReference extends Reference {
  /** Where in the value: `body.messages[0].content`. */
  at: string;
}

/** Every reference in a value's strings (deep), with where it is; malformed ones as problems. */
export function findReferences(
  value: unknown,
  at = '',
): { refs: FoundReference[]; problems: { at: string; message: string }[] } {
  const refs: FoundReference[] = [];
  const problems: { at: string; message: string }[] = [];
  const walk = (node: unknown, where: string) => {
    if (typeof node === 'string') {
      for (const m of node.matchAll(REF)) {
        const parsed = parseReference(m[1]);
        if (typeof parsed === 'string') problems.push({ at: where, message: parsed });
        else refs.push({ ...parsed, text: m[0], at: where });
      }
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${where}[${i}]`));
    } else if (node && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) walk(item, where ? `${where}.${key}` : key);
    }
  };
  walk(value, at);
  return { refs, problems };
}

/** What references resolve against. */
export interface Scope {
  inputs: Record<string, unknown>;
  steps: Record<string, unknown>;
  item?: unknown;
  index?: number;
}

export class UnresolvedReference extends Error {
  override readonly name = 'UnresolvedReference';
}

function lookup(ref: Omit<Reference, 'text'>, scope: Scope): unknown {
  let value: unknown;
  if (ref.source === 'index') return scope.index;
  if (ref.source === 'item') value = scope.item;
  else if (ref.source === 'inputs') value = scope.inputs[ref.name as string];
  else value = scope.steps[ref.name as string];
  for (const key of ref.path) {
    if (value === null || value === undefined) return undefined;
    if (typeof key === 'number') value = Array.isArray(value) ? value[key] : undefined;
    else
      value = typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

/** A value as text inside a longer string: strings as they are, anything else as JSON. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * `value` with its references replaced: a string that is exactly one reference takes the value as
 * it is (a list stays a list); references inside a longer string are interpolated as text. A
 * reference to nothing throws, naming it.
 */
export function resolve(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') {
    const exact = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(value);
    if (exact) return resolveOne(exact[0], exact[1], scope);
    return value.replace(REF, (text, inner: string) => asText(resolveOne(text, inner, scope)));
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, scope));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, scope)]));
  }
  return value;
}

function resolveOne(text: string, inner: string, scope: Scope): unknown {
  const ref = parseReference(inner);
  if (typeof ref === 'string') throw new UnresolvedReference(ref);
  const value = lookup(ref, scope);
  if (value === undefined) throw new UnresolvedReference(`${text} refers to nothing`);
  return value;
}

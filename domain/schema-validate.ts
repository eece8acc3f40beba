import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { SCHEMAS, type SchemaId } from '../schemas';

// Compiled once per process; `useDefaults` fills documented defaults into the validated value.
const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false });
addFormats(ajv);
for (const schema of Object.values(SCHEMAS)) ajv.addSchema(schema);

interface Compiled {
  fn: ValidateFunction;
  /** Top-level fields whose schema admits null: OpenAI reads an explicit null there as absent. */
  nullable: string[];
}

interface PropertySchema {
  type?: unknown;
  anyOf?: { type?: unknown }[];
}

const admitsNull = (schema: PropertySchema) =>
  (Array.isArray(schema.type) && schema.type.includes('null')) ||
  (schema.anyOf ?? []).some((branch) => branch.type === 'null');

// For requests refused as a whole with every problem listed (a workflow spec, a template's inputs).
const ajvAll = new Ajv({ allErrors: true, useDefaults: true, strict: false });
addFormats(ajvAll);
for (const schema of Object.values(SCHEMAS)) ajvAll.addSchema(schema);

const compiled = new Map<SchemaId, Compiled>();

function compile(id: SchemaId): Compiled {
  let entry = compiled.get(id);
  if (!entry) {
    const properties = (SCHEMAS[id] as { properties?: Record<string, PropertySchema> }).properties ?? {};
    const nullable = Object.entries(properties)
      .filter(([, schema]) => admitsNull(schema))
      .map(([name]) => name);
    entry = { fn: ajv.getSchema(id) as ValidateFunction, nullable };
    compiled.set(id, entry);
  }
  return entry;
}

export interface SchemaProblem {
  message: string;
  /** The offending field, as OpenAI writes it: `messages[0].role`. */
  param: string | null;
  code: string;
}

export type Checked<T> = { ok: true; value: T } | ({ ok: false } & SchemaProblem);

/**
 * Checks `data` against a schema: the value typed, or the first problem and its field. An explicit
 * null in a field the schema marks nullable is dropped, as OpenAI treats it: absent.
 */
export function checkSchema<T>(id: SchemaId, data: unknown): Checked<T> {
  const { fn, nullable } = compile(id);
  if (!fn(data)) {
    const error = fn.errors?.[0];
    return { ok: false, message: describe(error), param: paramOf(error), code: codeOf(error) };
  }
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const body = data as Record<string, unknown>;
    for (const name of nullable) if (body[name] === null) delete body[name];
  }
  return { ok: true, value: data as T };
}

/** `/messages/0/role` as `messages[0].role`. */
function paramPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function paramOf(error: ErrorObject | undefined): string | null {
  if (!error) return null;
  const base = paramPath(error.instancePath);
  const child =
    error.keyword === 'required'
      ? String(error.params.missingProperty)
      : error.keyword === 'additionalProperties'
        ? String(error.params.additionalProperty)
        : '';
  const path = child ? (base ? `${base}.${child}` : child) : base;
  return path || null;
}

function codeOf(error: ErrorObject | undefined): string {
  if (error?.keyword === 'required') return 'missing_required_parameter';
  if (error?.keyword === 'type') return 'invalid_type';
  if (error?.keyword === 'additionalProperties') return 'unknown_parameter';
  return 'invalid_value';
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'The request body is invalid.';
  const path = paramPath(error.instancePath);
  const where = path ? `'${path}'` : 'The request body';
  if (error.keyword === 'required') return `Missing required field '${paramOf(error)}'.`;
  if (error.keyword === 'additionalProperties') {
    return `${where} has an unknown field '${String(error.params.additionalProperty)}'.`;
  }
  if (error.keyword === 'enum') {
    return `${where} must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}.`;
  }
  if (error.keyword === 'oneOf' || error.keyword === 'anyOf') return `${where} is not one of the accepted forms.`;
  // The one `not` the schemas use: a name that is only blanks.
  if (error.keyword === 'not') return `${where} must not be blank.`;
  return `${where} ${error.message ?? 'is invalid'}.`;
}

/** Every problem of `data` against a registered schema (empty when valid); defaults are filled in. */
export function schemaProblems(id: SchemaId, data: unknown): SchemaProblem[] {
  const fn = ajvAll.getSchema(id) as ValidateFunction;
  return fn(data) ? [] : problemsOf(fn.errors);
}

/**
 * A checker for a schema that is not one of the registered ones (a template's inputs): every
 * problem of a value, defaults filled in.
 */
export function compileChecker(schema: object): (data: unknown) => SchemaProblem[] {
  const fn = ajvAll.compile(schema);
  return (data) => (fn(data) ? [] : problemsOf(fn.errors));
}

function problemsOf(errors: ErrorObject[] | null | undefined): SchemaProblem[] {
  // anyOf/oneOf report each branch's failure too; the branch summary is the useful line.
  return (errors ?? [])
    .filter((e) => !/\/(anyOf|oneOf)\//.test(e.schemaPath))
    .map((e) => ({ message: describe(e), param: paramOf(e), code: codeOf(e) }));
}

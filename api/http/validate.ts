import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { SCHEMAS, type SchemaId } from '../../schemas';
import { badRequest } from './api-error';

// Compiled once per process; `useDefaults` fills documented defaults into the validated body.
const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false });
addFormats(ajv);
for (const schema of Object.values(SCHEMAS)) ajv.addSchema(schema);

interface Compiled {
  fn: ValidateFunction;
  /** Top-level fields whose schema admits null: OpenAI reads an explicit null there as absent. */
  nullable: string[];
}

const compiled = new Map<SchemaId, Compiled>();

interface PropertySchema {
  type?: unknown;
  anyOf?: { type?: unknown }[];
}

const admitsNull = (schema: PropertySchema) =>
  (Array.isArray(schema.type) && schema.type.includes('null')) ||
  (schema.anyOf ?? []).some((branch) => branch.type === 'null');

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

/**
 * Validates `data` against a schema and returns it typed, or throws a 400 naming the first
 * problem and its field (`param`, written as OpenAI writes it: `messages[0].role`). An explicit
 * null in a field the schema marks nullable is dropped, as OpenAI treats it: absent.
 */
export function validate<T>(id: SchemaId, data: unknown): T {
  const { fn, nullable } = compile(id);
  if (!fn(data)) {
    const error = fn.errors?.[0];
    throw badRequest(describe(error), { param: paramOf(error), code: codeOf(error) });
  }
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const body = data as Record<string, unknown>;
    for (const name of nullable) if (body[name] === null) delete body[name];
  }
  return data as T;
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
  if (error.keyword === 'required') {
    const field = paramOf(error);
    return `Missing required field '${field}'.`;
  }
  if (error.keyword === 'additionalProperties') {
    return `${where} has an unknown field '${String(error.params.additionalProperty)}'.`;
  }
  if (error.keyword === 'enum') {
    return `${where} must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}.`;
  }
  if (error.keyword === 'oneOf' || error.keyword === 'anyOf') return `${where} is not one of the accepted forms.`;
  return `${where} ${error.message ?? 'is invalid'}.`;
}

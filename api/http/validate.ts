import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { SCHEMAS, type SchemaId } from '../../schemas';
import { badRequest } from './api-error';

// Compiled once per process; `useDefaults` fills documented defaults into the validated body.
const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false });
addFormats(ajv);
for (const schema of Object.values(SCHEMAS)) ajv.addSchema(schema);

const compiled = new Map<SchemaId, ValidateFunction>();

/** Validates `data` against a schema and returns it typed, or throws a 400 naming the first problem. */
export function validate<T>(id: SchemaId, data: unknown): T {
  let fn = compiled.get(id);
  if (!fn) {
    fn = ajv.getSchema(id) as ValidateFunction;
    compiled.set(id, fn);
  }
  if (fn(data)) return data as T;
  throw badRequest(describe(fn.errors?.[0]));
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'The request body is invalid.';
  const where = error.instancePath ? `'${error.instancePath.slice(1).replace(/\//g, '.')}'` : 'The request body';
  if (error.keyword === 'required') return `Missing required field '${String(error.params.missingProperty)}'.`;
  if (error.keyword === 'additionalProperties') {
    return `${where} has an unknown field '${String(error.params.additionalProperty)}'.`;
  }
  if (error.keyword === 'enum') {
    return `${where} must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}.`;
  }
  return `${where} ${error.message ?? 'is invalid'}.`;
}

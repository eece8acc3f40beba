import { checkSchema } from '../../domain/schema-validate';
import type { SchemaId } from '../../schemas';
import { badRequest } from './api-error';

/**
 * Validates `data` against a schema and returns it typed, or throws a 400 naming the first
 * problem and its field (`param`, written as OpenAI writes it: `messages[0].role`). An explicit
 * null in a field the schema marks nullable is dropped, as OpenAI treats it: absent.
 */
export function validate<T>(id: SchemaId, data: unknown): T {
  const checked = checkSchema<T>(id, data);
  if (!checked.ok) throw badRequest(checked.message, { param: checked.param, code: checked.code });
  return checked.value;
}

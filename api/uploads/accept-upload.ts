import { ErrorType } from '../../workflows/errors';
import { ApiError, badRequest } from '../http/api-error';
import type { AcceptedUpload } from '../inference/run-call';
import type { MultipartBody, UploadedFile } from './read-multipart';
import { sniff, type SniffedType } from './sniff';

/**
 * The named file, accepted only if its bytes are one of `allowed` (415 otherwise). Missing
 * and empty files are 400 when required; a field sent twice is 400 too.
 */
export function acceptUpload(
  body: MultipartBody,
  field: string,
  allowed: readonly SniffedType[],
  required = true,
): AcceptedUpload | undefined {
  const found = body.files.filter((f) => f.field === field);
  if (found.length > 1) throw badRequest(`Send one file as '${field}', not ${found.length}.`, { param: field });
  if (found.length === 0 || found[0].bytes.length === 0) {
    if (required) throw missing(field);
    return undefined;
  }
  return check(found[0], field, allowed);
}

/** Every file sent as `field` or `field[]` (at least one, at most `max`), each checked like acceptUpload. */
export function acceptUploads(
  body: MultipartBody,
  field: string,
  allowed: readonly SniffedType[],
  max: number,
): AcceptedUpload[] {
  const found = body.files.filter((f) => f.field === field);
  if (found.length === 0 || found.every((f) => f.bytes.length === 0)) throw missing(field);
  if (found.length > max) throw badRequest(`At most ${max} files may be sent as '${field}'.`, { param: field });
  return found.map((file) => check(file, field, allowed));
}

function check(file: UploadedFile, field: string, allowed: readonly SniffedType[]): AcceptedUpload {
  const type = sniff(file.bytes);
  if (file.bytes.length === 0) throw badRequest(`The file '${field}' is empty.`, { param: field });
  if (!type || !allowed.includes(type)) {
    const names = allowed.map((t) => t.split('/')[1]).join(', ');
    throw new ApiError(
      ErrorType.UnsupportedMedia,
      `The file '${field}' is not a supported type (accepted: ${names}).`,
      {
        param: field,
      },
    );
  }
  return { field, filename: file.filename, contentType: type, bytes: file.bytes };
}

const missing = (field: string) =>
  badRequest(`Missing required file '${field}'.`, { param: field, code: 'missing_required_parameter' });

/**
 * Multipart text fields as JSON values, so the same JSON Schemas validate them: numbers that
 * parse become numbers, `true`/`false` become booleans; anything else stays a string, which the
 * schema then refuses with the field's name.
 */
export function coerceFields(
  fields: MultipartBody['fields'],
  kinds: { numbers?: string[]; booleans?: string[] },
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fields };
  for (const name of kinds.numbers ?? []) {
    const value = out[name];
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) out[name] = Number(value);
  }
  for (const name of kinds.booleans ?? []) {
    const value = out[name];
    if (value === 'true' || value === 'false') out[name] = value === 'true';
  }
  return out;
}

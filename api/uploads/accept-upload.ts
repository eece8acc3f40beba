import { ErrorType } from '../../workflows/errors';
import { ApiError, badRequest } from '../http/api-error';
import type { AcceptedUpload } from '../inference/run-media';
import type { MultipartBody } from './read-multipart';
import { sniff, type SniffedType } from './sniff';

/**
 * The named file, accepted only if its bytes are one of `allowed` (415 otherwise). Missing
 * and empty files are 400 when required.
 */
export function acceptUpload(
  body: MultipartBody,
  field: string,
  allowed: readonly SniffedType[],
  required = true,
): AcceptedUpload | undefined {
  const file = body.files.get(field);
  if (!file || file.bytes.length === 0) {
    if (required) throw badRequest(`Missing required file '${field}'.`);
    return undefined;
  }
  const type = sniff(file.bytes);
  if (!type || !allowed.includes(type)) {
    const names = allowed.map((t) => t.split('/')[1]).join(', ');
    throw new ApiError(ErrorType.UnsupportedMedia, `The file '${field}' is not a supported type (accepted: ${names}).`);
  }
  return { field, filename: file.filename, contentType: type, bytes: file.bytes };
}

/** Multipart text fields as JSON values, so the same JSON Schemas validate them. */
export function coerceFields(fields: MultipartBody['fields'], numeric: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fields };
  for (const name of numeric) {
    const value = out[name];
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) out[name] = Number(value);
  }
  return out;
}

import busboy from 'busboy';
import type { Context } from 'koa';
import { ErrorType } from '../../workflows/errors';
import { ApiError, badRequest } from '../http/api-error';

export interface UploadedFile {
  /** The form field, without a trailing `[]` (`image[]` is `image`). */
  field: string;
  filename: string;
  bytes: Buffer;
}

export interface MultipartBody {
  /** Text fields; a field sent several times (or as `name[]`) becomes an array under `name`. */
  fields: Record<string, string | string[]>;
  /** Files in the order they came; a field may carry several (`image[]`). */
  files: UploadedFile[];
}

const MAX_FIELDS = 50;
const MAX_FILES = 17;
const MAX_FIELD_BYTES = 1024 * 1024;

/** busboy reports a part without a name (`name=""`) as undefined. */
const fieldName = (name: string | undefined) => (name?.endsWith('[]') ? name.slice(0, -2) : (name ?? ''));

/**
 * Reads a multipart/form-data body into memory, refusing (413) any file over `fileLimit` before
 * buffering more of it. Nothing is stored here: callers validate everything before any write.
 * Every stream involved has an error listener: a body that ends early, or a client that leaves,
 * is a rejected promise (400), never an unhandled `error` event.
 */
export function readMultipart(ctx: Context, fileLimit: number): Promise<MultipartBody> {
  if (!ctx.is('multipart/form-data')) {
    return Promise.reject(badRequest('This endpoint takes multipart/form-data.'));
  }
  return new Promise<MultipartBody>((resolve, reject) => {
    const fields: MultipartBody['fields'] = Object.create(null) as MultipartBody['fields'];
    const files: UploadedFile[] = [];
    let failed: ApiError | undefined;
    let settled = false;
    const fail = (err: ApiError) => {
      failed ??= err;
    };
    const finish = (err?: ApiError) => {
      if (settled) return;
      settled = true;
      if (err) {
        ctx.req.unpipe();
        ctx.req.resume();
        reject(err);
      } else resolve({ fields, files });
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: ctx.req.headers,
        limits: { fileSize: fileLimit, files: MAX_FILES, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES },
      });
    } catch {
      return reject(badRequest('The multipart body is malformed (missing boundary?).'));
    }
    // Listeners never throw: they run inside the request stream's own events, where a throw would
    // reach Node's HTTP parser instead of this request.
    parser.on('field', (name: string | undefined, value, info) => {
      const key = fieldName(name);
      if (key === '' || key === '__proto__') return fail(badRequest('A form field has no usable name.'));
      if (info.valueTruncated) fail(badRequest(`The field '${key}' exceeds 1 MB.`, { param: key }));
      const previous = fields[key];
      if (previous === undefined) fields[key] = name?.endsWith('[]') ? [value] : value;
      else fields[key] = [...(Array.isArray(previous) ? previous : [previous]), value];
    });
    parser.on('file', (name: string | undefined, stream, info) => {
      if (fieldName(name) === '') {
        stream.resume();
        return fail(badRequest('A file part has no field name.'));
      }
      const chunks: Buffer[] = [];
      let complete = true;
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () =>
        fail(
          new ApiError(
            ErrorType.RequestTooLarge,
            `The file '${fieldName(name)}' exceeds the ${Math.floor(fileLimit / 1048576)} MB limit.`,
            { param: fieldName(name) },
          ),
        ),
      );
      stream.on('error', () => {
        complete = false;
        fail(
          badRequest(`The multipart body ended before the file '${fieldName(name)}' was complete.`, {
            param: fieldName(name),
          }),
        );
      });
      stream.on('close', () => {
        if (complete) {
          files.push({
            field: fieldName(name),
            filename: info.filename || fieldName(name),
            bytes: Buffer.concat(chunks),
          });
        }
      });
    });
    parser.on('filesLimit', () => fail(badRequest(`Too many files in one request (at most ${MAX_FILES}).`)));
    parser.on('fieldsLimit', () => fail(badRequest(`Too many fields in one request (at most ${MAX_FIELDS}).`)));
    parser.on('error', () => finish(failed ?? badRequest('The multipart body is malformed or ended early.')));
    parser.on('close', () => finish(failed));
    ctx.req.on('error', () => finish(badRequest('The request body could not be read.')));
    ctx.req.on('aborted', () => finish(badRequest('The client closed the connection before the body was complete.')));
    ctx.req.pipe(parser);
  });
}

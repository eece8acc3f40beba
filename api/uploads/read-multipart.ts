import busboy from 'busboy';
import type { Context } from 'koa';
import { ErrorType } from '../../workflows/errors';
import { ApiError, badRequest } from '../http/api-error';

export interface UploadedFile {
  field: string;
  filename: string;
  bytes: Buffer;
}

export interface MultipartBody {
  /** Text fields; a field sent several times (or as `name[]`) becomes an array under `name`. */
  fields: Record<string, string | string[]>;
  files: Map<string, UploadedFile>;
}

const MAX_FIELDS = 50;

/**
 * Reads a multipart/form-data body into memory, refusing (413) any file over `fileLimit` before
 * buffering more of it. Nothing is stored here: callers validate everything before any write.
 */
export function readMultipart(ctx: Context, fileLimit: number): Promise<MultipartBody> {
  if (!ctx.is('multipart/form-data')) {
    return Promise.reject(badRequest('This endpoint takes multipart/form-data.'));
  }
  return new Promise<MultipartBody>((resolve, reject) => {
    const fields: MultipartBody['fields'] = {};
    const files = new Map<string, UploadedFile>();
    let failed: ApiError | undefined;
    const fail = (err: ApiError) => {
      failed ??= err;
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: ctx.req.headers,
        limits: { fileSize: fileLimit, files: 5, fields: MAX_FIELDS, fieldSize: 1024 * 1024 },
      });
    } catch {
      return reject(badRequest('The multipart body is malformed (missing boundary?).'));
    }
    parser.on('field', (name, value) => {
      const key = name.endsWith('[]') ? name.slice(0, -2) : name;
      const previous = fields[key];
      if (previous === undefined) fields[key] = name.endsWith('[]') ? [value] : value;
      else fields[key] = [...(Array.isArray(previous) ? previous : [previous]), value];
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () =>
        fail(
          new ApiError(
            ErrorType.RequestTooLarge,
            `The file '${name}' exceeds the ${Math.floor(fileLimit / 1048576)} MB limit.`,
          ),
        ),
      );
      stream.on('close', () =>
        files.set(name, { field: name, filename: info.filename || name, bytes: Buffer.concat(chunks) }),
      );
    });
    parser.on('filesLimit', () => fail(badRequest('Too many files in one request.')));
    parser.on('fieldsLimit', () => fail(badRequest('Too many fields in one request.')));
    parser.on('error', () => reject(failed ?? badRequest('The multipart body is malformed.')));
    parser.on('close', () => (failed ? reject(failed) : resolve({ fields, files })));
    ctx.req.pipe(parser);
  });
}

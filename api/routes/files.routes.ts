import Router from '@koa/router';
import type { Context } from 'koa';
import {
  FILE_PURPOSES,
  createFile,
  deleteFile,
  fileObject,
  findFile,
  isFilePurpose,
  isFileId,
  listFiles,
  openFile,
  type FileListQuery,
} from '../../db/repositories/file.repository';
import { describeBatchProblems, parseBatchJsonl } from '../../workflows/batch-jsonl';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest } from '../http/api-error';
import type { AuthState } from '../http/auth';
import { validate } from '../http/validate';
import { readMultipart, type MultipartBody } from '../uploads/read-multipart';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const MAX_FILENAME = 255;

const notFound = (id: string) =>
  new ApiError(ErrorType.NotFound, `No such file: '${id.length > 64 ? `${id.slice(0, 64)}…` : id}'.`, {
    param: 'file_id',
  });

/**
 * OpenAI's Files API, as the SDKs use it for the Batch API: upload (`purpose` `batch`, checked line
 * by line, or `user_data`, stored as it is), list, retrieve, content, delete. Files are private to
 * their owner: anyone else gets the same 404 as a bad id.
 */
export function filesRoutes(deps: ApiDeps): Router<AuthState> {
  const { db, storage } = deps;
  const router = new Router<AuthState>();

  router.post('/v1/files', async (ctx) => {
    const form = await readMultipart(ctx, deps.config.api.maxBodyBytes);
    const fields = uploadFields(form);
    const file = theFile(form);
    if (fields.purpose === 'batch') {
      const parsed = parseBatchJsonl(file.bytes);
      if (!parsed.ok) throw badRequest(describeBatchProblems(parsed), { param: 'file', code: 'invalid_batch_file' });
    }
    ctx.body = await createFile({
      db,
      storage,
      memberId: ctx.state.member.id,
      filename: cleanFilename(file.filename),
      purpose: fields.purpose,
      bytes: file.bytes,
    });
  });

  router.get('/v1/files', async (ctx) => {
    const query = listQuery(ctx);
    const page = await listFiles(db, ctx.state.member.id, query);
    if (!page) {
      throw badRequest(`'after' names no file of yours: '${query.after ?? ''}'.`, { param: 'after' });
    }
    const data = page.rows.map(fileObject);
    ctx.body = {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: page.hasMore,
    };
  });

  router.get('/v1/files/:file_id', async (ctx) => {
    const row = await findFile(db, ctx.state.member.id, ctx.params.file_id);
    if (!row) throw notFound(ctx.params.file_id);
    ctx.body = fileObject(row);
  });

  router.get('/v1/files/:file_id/content', async (ctx) => {
    const opened = await openFile(db, storage, ctx.state.member.id, ctx.params.file_id);
    if (!opened) throw notFound(ctx.params.file_id);
    ctx.set('x-content-type-options', 'nosniff');
    ctx.type = opened.contentType;
    ctx.length = opened.file.bytes;
    ctx.body = opened.stream;
  });

  router.delete('/v1/files/:file_id', async (ctx) => {
    const id = ctx.params.file_id;
    const deleted = await deleteFile(db, storage, ctx.state.member.id, id, (key, err) =>
      deps.logger.warn('file bytes not removed', { key, err: String(err) }),
    );
    if (!deleted) throw notFound(id);
    ctx.body = { id, object: 'file', deleted: true };
  });

  return router;
}

function uploadFields(form: MultipartBody): { purpose: 'batch' | 'user_data' } {
  const names = Object.keys(form.fields);
  // A setting the platform cannot honour is refused, never dropped.
  if (names.some((name) => name === 'expires_after' || name.startsWith('expires_after['))) {
    throw badRequest("'expires_after' is not supported: files are kept until you delete them.", {
      param: 'expires_after',
    });
  }
  if (names.includes('file')) {
    throw badRequest("Send 'file' as a file part (with a filename), not as a text field.", { param: 'file' });
  }
  return validate<{ purpose: 'batch' | 'user_data' }>('FileUploadFields', form.fields);
}

function theFile(form: MultipartBody) {
  const other = form.files.find((f) => f.field !== 'file');
  if (other) throw badRequest(`Unknown file field '${other.field}'; send the file as 'file'.`, { param: other.field });
  const found = form.files.filter((f) => f.field === 'file');
  if (found.length === 0) {
    throw badRequest("Missing required file 'file'.", { param: 'file', code: 'missing_required_parameter' });
  }
  if (found.length > 1) throw badRequest(`Send one file as 'file', not ${found.length}.`, { param: 'file' });
  if (found[0].bytes.length === 0) throw badRequest("The file 'file' is empty.", { param: 'file' });
  return found[0];
}

/** The name as sent, without control characters and at most 255 characters long. */
function cleanFilename(name: string): string {
  const clean = [...name.replace(/[\u0000-\u001f\u007f]/g, '_')].slice(0, MAX_FILENAME).join('').trim();
  return clean === '' ? 'file' : clean;
}

/** `?purpose=&limit=&after=&order=`, each given at most once and checked before any query. */
function listQuery(ctx: Context): FileListQuery {
  const one = (name: string): string | undefined => {
    const value = ctx.query[name];
    if (Array.isArray(value)) throw badRequest(`Give the query parameter '${name}' once.`, { param: name });
    return value;
  };
  const limitText = one('limit');
  let limit = DEFAULT_LIMIT;
  if (limitText !== undefined) {
    limit = /^[0-9]{1,3}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) {
      throw badRequest(`'limit' must be an integer from 1 to ${MAX_LIMIT}.`, { param: 'limit', code: 'invalid_value' });
    }
  }
  const order = one('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') {
    throw badRequest("'order' must be one of asc, desc.", { param: 'order', code: 'invalid_value' });
  }
  const purpose = one('purpose');
  if (purpose !== undefined && !isFilePurpose(purpose)) {
    throw badRequest(`'purpose' must be one of ${FILE_PURPOSES.join(', ')}.`, {
      param: 'purpose',
      code: 'invalid_value',
    });
  }
  const after = one('after');
  if (after !== undefined && !isFileId(after)) {
    throw badRequest("'after' is not a file id.", { param: 'after', code: 'invalid_value' });
  }
  return { limit, order, purpose, after };
}

import type { Context } from 'koa';
import { badRequest } from './api-error';
import { readRawBody } from './read-body';

/** A page form (`application/x-www-form-urlencoded`) may be up to this big: a JSON value to approve fits. */
export const MAX_FORM_BYTES = 1024 * 1024;

const formsRead = new WeakMap<Context, Record<string, string>>();

export const isFormBody = (ctx: Context) =>
  ctx.is('application/x-www-form-urlencoded') === 'application/x-www-form-urlencoded';

/**
 * The fields of a urlencoded form body, read once per request (the CSRF check and the page's
 * handler both ask). A field given twice keeps its last value; any other body type is a 400.
 */
export async function readForm(ctx: Context): Promise<Record<string, string>> {
  const read = formsRead.get(ctx);
  if (read) return read;
  if (!isFormBody(ctx)) throw badRequest('Expected a form (application/x-www-form-urlencoded).');
  const raw = await readRawBody(ctx, MAX_FORM_BYTES);
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) fields[name] = value;
  formsRead.set(ctx, fields);
  return fields;
}

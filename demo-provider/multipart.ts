/**
 * multipart/form-data parser for the demo provider (a test fixture). Buffers the whole body,
 * which is fine under the 25 MB upload cap and avoids a dependency such as busboy.
 */
import type { IncomingMessage } from 'node:http';
import { noteReceived, UPLOAD_LIMIT, badRequest, readBody } from './http';

export interface FilePart {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface FormData {
  fields: Map<string, string[]>;
  files: Map<string, FilePart[]>;
  field(name: string): string | undefined;
  file(name: string): FilePart | undefined;
}

function boundaryOf(contentType: string | undefined): string {
  const m = /^multipart\/form-data\s*;.*?boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!m) throw badRequest('Expected a multipart/form-data body with a boundary');
  return m[1] ?? m[2];
}

function disposition(headers: string): { name?: string; filename?: string } {
  const line = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? '';
  const name = /\bname="([^"]*)"/i.exec(line)?.[1];
  const filename = /\bfilename="([^"]*)"/i.exec(line)?.[1];
  return { name, filename };
}

export function parseMultipart(body: Buffer, contentType: string | undefined): FormData {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  const fields = new Map<string, string[]>();
  const files = new Map<string, FilePart[]>();
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw badRequest('Malformed multipart body: boundary not found');
  for (;;) {
    const afterDelim = pos + delimiter.length;
    if (body.toString('latin1', afterDelim, afterDelim + 2) === '--') break;
    const headerStart = afterDelim + 2;
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerStart);
    if (headerEnd < 0 || next < 0 || headerEnd > next) throw badRequest('Malformed multipart body');
    const headers = body.toString('utf8', headerStart, headerEnd);
    const data = body.subarray(headerEnd + 4, next);
    const { name, filename } = disposition(headers);
    if (name !== undefined) {
      if (filename !== undefined) {
        const contentTypeLine = /^content-type:\s*(.*)$/im.exec(headers)?.[1]?.trim();
        const list = files.get(name) ?? [];
        list.push({ filename, contentType: contentTypeLine ?? 'application/octet-stream', data });
        files.set(name, list);
      } else {
        const list = fields.get(name) ?? [];
        list.push(data.toString('utf8'));
        fields.set(name, list);
      }
    }
    pos = next + 2;
  }
  return {
    fields,
    files,
    field: (n) => fields.get(n)?.[0],
    file: (n) => files.get(n)?.[0],
  };
}

export async function readMultipart(req: IncomingMessage): Promise<FormData> {
  const body = await readBody(req, UPLOAD_LIMIT);
  const form = parseMultipart(body, req.headers['content-type']);
  noteReceived(req, Object.fromEntries([...form.fields].map(([name, values]) => [name, values.at(-1)])));
  return form;
}

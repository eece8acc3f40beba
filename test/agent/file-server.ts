import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PutRecord {
  body: Buffer;
  contentType?: string;
  contentLength?: string;
}

export interface FileServer {
  /** Served on GET /files/<name>. */
  files: Map<string, Buffer>;
  /** Names fetched through GET /files/<name>, in order. */
  gets: string[];
  /** Bodies received on PUT /put/<name>. */
  puts: Map<string, PutRecord>;
  /** PUT /hang/<name> receives the body and never answers; `closed` turns true when the client gives up. */
  hung: Map<string, { received: boolean; closed: boolean }>;
  /** A stand-in for a presigned URL, with a secret query string that must never be shown. */
  url(route: 'files' | 'put' | 'deny' | 'hang', name: string): string;
  close(): Promise<void>;
}

export const SECRET_QUERY = 'X-Amz-Credential=AKIA%2Ftest&X-Amz-Signature=secret-signature-1234';

/** A tiny HTTP server standing in for presigned S3 GET and PUT URLs. */
export async function startFileServer(): Promise<FileServer> {
  const files = new Map<string, Buffer>();
  const gets: string[] = [];
  const puts = new Map<string, PutRecord>();
  const hung = new Map<string, { received: boolean; closed: boolean }>();
  const server = createServer((req, res) => {
    const [, route, name] = (req.url ?? '').split('?', 1)[0].split('/');
    if (req.method === 'GET' && route === 'files') {
      gets.push(name);
      const file = files.get(name);
      res.writeHead(file ? 200 : 404).end(file ?? 'no such file');
      return;
    }
    if (req.method === 'PUT' && route === 'hang') {
      const state = { received: false, closed: false };
      hung.set(name, state);
      res.on('close', () => (state.closed = true));
      void readAll(req).then(() => (state.received = true));
      return;
    }
    void readAll(req).then((body) => {
      if (req.method === 'PUT' && route === 'put') {
        puts.set(name, {
          body,
          contentType: req.headers['content-type'],
          contentLength: req.headers['content-length'],
        });
        res.writeHead(200).end();
      } else if (req.method === 'PUT' && route === 'deny') {
        // S3 echoes parts of the signed request in its errors; the agent must not pass them on.
        res
          .writeHead(403, { 'content-type': 'application/xml' })
          .end(`<Error><Code>AccessDenied</Code><Message>${req.url}</Message></Error>`);
      } else {
        res.writeHead(405).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    files,
    gets,
    puts,
    hung,
    url: (route, name) => `${base}/${route}/${name}?${SECRET_QUERY}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

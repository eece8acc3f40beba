import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { send } from '../../agent/http-transport';
import { waitUntil } from '../support/processes';

/** A server that answers by path, recording what it was sent. */
function startServer() {
  const seen: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  let closedEarly = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url === '/empty') {
        res.writeHead(204).end();
      } else if (req.url === '/hang') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        res.on('close', () => (closedEarly += 1));
      } else {
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res
          .writeHead(201, 'Made', { 'content-type': 'application/json' })
          .end(JSON.stringify({ echo: seen.at(-1)?.body }));
      }
    });
  });
  return new Promise<{ url: string; seen: typeof seen; closedEarly: () => number; close: () => Promise<void> }>(
    (resolve) =>
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        resolve({
          url: `http://127.0.0.1:${port}`,
          seen,
          closedEarly: () => closedEarly,
          close: () =>
            new Promise((done) => {
              server.closeAllConnections();
              server.close(() => done());
            }),
        });
      }),
  );
}

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

test('answers like fetch: status, status text, repeated headers and the body', async () => {
  const res = await send(`${server.url}/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"x":"é"}',
  });
  expect(res.status).toBe(201);
  expect(res.ok).toBe(true);
  expect(res.statusText).toBe('Made');
  expect(res.headers.get('content-type')).toBe('application/json');
  expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  expect(await res.json()).toEqual({ echo: '{"x":"é"}' });
  // The length counts bytes, not characters.
  expect(server.seen.at(-1)?.headers['content-length']).toBe(String(Buffer.byteLength('{"x":"é"}')));
});

test('a 204 answer has a null body instead of throwing', async () => {
  const res = await send(`${server.url}/empty`, { method: 'POST', body: '{}' });
  expect(res.status).toBe(204);
  expect(res.body).toBeNull();
});

test('streams an upload body as it is produced', async () => {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode('data: a\n\n'));
      controller.enqueue(encoder.encode('data: b\n\n'));
      controller.close();
    },
  });
  const res = await send(`${server.url}/echo`, { method: 'POST', body });
  expect(await res.json()).toEqual({ echo: 'data: a\n\ndata: b\n\n' });
  expect(server.seen.at(-1)?.headers['transfer-encoding']).toBe('chunked');
});

test("aborting rejects with the signal's reason and closes the connection mid-body", async () => {
  const controller = new AbortController();
  const res = await send(`${server.url}/hang`, { method: 'POST', body: '{}', signal: controller.signal });
  const reader = res.body!.getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: one\n\n');
  const reason = new Error('canceled');
  controller.abort(reason);
  await expect(reader.read()).rejects.toBeDefined();
  await waitUntil(() => server.closedEarly() === 1, 'the server to see the connection close');

  const already = new AbortController();
  already.abort(reason);
  await expect(send(`${server.url}/echo`, { signal: already.signal })).rejects.toBe(reason);
});

test('an unreachable server rejects with the connection error', async () => {
  const gone = await startServer();
  await gone.close();
  await expect(send(`${gone.url}/echo`)).rejects.toThrow(/ECONNREFUSED/);
});

test('refuses a URL it cannot speak to', async () => {
  await expect(send('ftp://127.0.0.1/file')).rejects.toThrow(/unsupported protocol/);
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'koa';
import { clientGoneSignal, onClientGone } from '../../api/http/client-gone';

/**
 * A server whose handler, before watching the client, waits until the client has gone
 * (as a handler awaiting a body or a key lookup would) or not, then reports what it saw.
 */
async function watchAfter(clientLeaves: boolean): Promise<{ gone: boolean; aborted: boolean }> {
  let report!: (r: { gone: boolean; aborted: boolean }) => void;
  const reported = new Promise<{ gone: boolean; aborted: boolean }>((resolve) => (report = resolve));
  const server = http.createServer((req, res) => {
    const ctx = { req, res } as unknown as Context;
    const watch = () => {
      let gone = false;
      onClientGone(ctx, () => (gone = true));
      const signal = clientGoneSignal(ctx);
      if (!clientLeaves) res.end('ok');
      setTimeout(() => report({ gone, aborted: signal.aborted }), 50);
    };
    if (clientLeaves) req.socket.once('close', watch);
    else watch();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const request = http.get({ host: '127.0.0.1', port });
  request.on('error', () => undefined);
  request.on('response', (res) => res.resume());
  if (clientLeaves) setTimeout(() => request.destroy(), 20);
  try {
    return await reported;
  } finally {
    server.close();
  }
}

test('a client that left before the handler started watching still counts as gone', async () => {
  expect(await watchAfter(true)).toEqual({ gone: true, aborted: true });
});

test('a client that got its whole response has not gone', async () => {
  expect(await watchAfter(false)).toEqual({ gone: false, aborted: false });
});

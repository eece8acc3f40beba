import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordingUpstream {
  url: string;
  bodies: Record<string, unknown>[];
  close(): Promise<void>;
}

/** A local "model server" that records exactly what the agent forwarded to it. */
export async function startRecordingUpstream(): Promise<RecordingUpstream> {
  const bodies: Record<string, unknown>[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(raw) as Record<string, unknown>);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: 'rec',
          object: 'chat.completion',
          created: 0,
          model: 'recorder',
          choices: [{ index: 0, message: { role: 'assistant', content: 'recorded' }, finish_reason: 'stop' }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

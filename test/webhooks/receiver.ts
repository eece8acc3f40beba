import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  /** The payload, when the signature verified with the receiver's secret; otherwise the error. */
  verified: { ok: true; payload: unknown } | { ok: false; error: string };
}

/**
 * A webhook receiver on loopback, as a member would run one: it verifies every delivery with the
 * `standardwebhooks` library and the secret it is given, and answers each with the next scripted
 * status (the last one repeats).
 */
export class Receiver {
  readonly deliveries: Delivery[] = [];
  secret = '';
  private constructor(
    private readonly server: Server,
    private readonly statuses: number[],
    private readonly delayMs: number,
  ) {}

  static async start(options: { statuses?: number[]; delayMs?: number; location?: string } = {}): Promise<Receiver> {
    const server = createServer();
    const receiver = new Receiver(server, options.statuses ?? [204], options.delayMs ?? 0);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        receiver.deliveries.push({ headers: req.headers, body, verified: receiver.verify(body, req.headers) });
        const n = receiver.deliveries.length;
        const status = receiver.statuses[Math.min(n, receiver.statuses.length) - 1];
        setTimeout(() => {
          if (options.location) res.setHeader('location', options.location);
          res.statusCode = status;
          res.end(status === 204 ? undefined : `answer ${n}`);
        }, receiver.delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/jobs?token=abc`;
  }

  private verify(body: string, headers: IncomingHttpHeaders): Delivery['verified'] {
    try {
      const payload = new Webhook(this.secret).verify(body, headers as Record<string, string>);
      return { ok: true, payload };
    } catch (err) {
      return { ok: false, error: String(err) };
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

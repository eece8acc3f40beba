import net from 'node:net';

/** Ports this process has handed out: the kernel may offer a just-closed port again on the next ask. */
const handedOut = new Set<number>();

/**
 * A port nobody listens on right now and that this process has not handed out before, so two services started
 * one after the other (or at once) never get the same port. Other processes can still take it before it is bound:
 * starters retry through {@link retryPortClash}.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await kernelPort(host);
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`could not allocate a port on ${host} that was not handed out before`);
}

/**
 * True when a start failed because the port it was given was taken in the meantime. Only the log of this
 * launch counts (after the last "--- <time> <command>" header spawnChild writes), not an earlier run's.
 */
function isPortClash(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const launch = err.message.slice(err.message.lastIndexOf('\n--- ') + 1);
  return /address already in use/i.test(launch);
}

/**
 * Runs start again (with ports it picks afresh) when it failed on a port clash: between freePort() and the
 * service's bind, another process may take the port. Callers that were given their ports pass attempts = 1.
 */
export async function retryPortClash<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= attempts || !isPortClash(err)) throw err;
    }
  }
}

function kernelPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not allocate a port'))));
    });
  });
}

/** Resolves true when something accepts TCP connections on host:port. */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

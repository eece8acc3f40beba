import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawnChild, type RunningProcess, type SpawnControl } from './child';
import { freePort, retryPortClash } from './ports';
import { minioBin } from './tools';

export interface MinioOptions extends SpawnControl {
  /** Holds the object store (data/), MinIO's certs dir and the generated credentials. */
  dataDir: string;
  port?: number;
  consolePort?: number;
  logFile: string;
  accessKey?: string;
  secretKey?: string;
  /** Throwaway stores get fresh random credentials instead of persisting them. */
  persistCredentials?: boolean;
  startTimeoutMs?: number;
}

export interface MinioServer {
  /** http://127.0.0.1:port */
  endpoint: string;
  consoleUrl: string;
  accessKey: string;
  secretKey: string;
  /** The server process (for supervision and tests). */
  pid: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

interface Credentials {
  accessKey: string;
  secretKey: string;
}

/** Explicit keys win; otherwise the ones saved beside the data, or new random ones (saved when persistent). */
function credentials(opts: MinioOptions): Credentials {
  if (opts.accessKey && opts.secretKey) return { accessKey: opts.accessKey, secretKey: opts.secretKey };
  const file = path.join(opts.dataDir, '.credentials.json');
  const persist = opts.persistCredentials ?? true;
  if (persist && fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Credentials;
  const generated = {
    accessKey: `dev-${crypto.randomBytes(8).toString('hex')}`,
    secretKey: crypto.randomBytes(24).toString('base64url'),
  };
  if (persist) fs.writeFileSync(file, JSON.stringify(generated, null, 2), { mode: 0o600 });
  return generated;
}

/** GET <endpoint>/minio/health/live answers 200. */
export function minioLive(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${endpoint}/minio/health/live`, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

/** Starts a single-drive MinIO on 127.0.0.1 and resolves once its liveness endpoint answers. */
export function startMinio(opts: MinioOptions): Promise<MinioServer & RunningProcess> {
  const picksPorts = opts.port === undefined || opts.consolePort === undefined;
  return retryPortClash(() => launchMinio(opts), picksPorts ? 3 : 1);
}

async function launchMinio(opts: MinioOptions): Promise<MinioServer & RunningProcess> {
  const bin = minioBin();
  const dataDir = path.resolve(opts.dataDir);
  // The drive is a subfolder: MinIO treats every top-level entry of its drive as a bucket.
  const drive = path.join(dataDir, 'data');
  const certs = path.join(dataDir, 'certs');
  fs.mkdirSync(drive, { recursive: true });
  fs.mkdirSync(certs, { recursive: true });
  const { accessKey, secretKey } = credentials({ ...opts, dataDir });
  const port = opts.port ?? (await freePort(HOST));
  const consolePort = opts.consolePort ?? (await freePort(HOST));
  const endpoint = `http://${HOST}:${port}`;

  const child = await spawnChild({
    name: 'minio',
    command: bin,
    args: [
      'server',
      drive,
      '--address',
      `${HOST}:${port}`,
      '--console-address',
      `${HOST}:${consolePort}`,
      '--certs-dir',
      certs,
      '--quiet',
    ],
    logFile: opts.logFile,
    env: {
      ...process.env,
      MINIO_ROOT_USER: accessKey,
      MINIO_ROOT_PASSWORD: secretKey,
      MINIO_UPDATE: 'off',
      MINIO_BROWSER_REDIRECT: 'off',
    },
    signal: opts.signal,
    ownProcessGroup: opts.ownProcessGroup,
  });
  try {
    await child.waitFor(() => minioLive(endpoint), {
      timeoutMs: opts.startTimeoutMs ?? 60_000,
      what: `MinIO on ${endpoint}`,
    });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return {
    endpoint,
    consoleUrl: `http://${HOST}:${consolePort}`,
    accessKey,
    secretKey,
    pid: child.pid,
    exit: child.exit,
    stop: () => child.stop(),
  };
}

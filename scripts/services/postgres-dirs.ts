import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectName } from './tools';

export interface Owner {
  uid: number;
  gid: number;
}

const FALLBACK_ROOT = '/var/tmp';
const ORIGIN_FILE = 'origin.json';

/** Postgres refuses to run as root, so as root every server-side command runs as the postgres user. */
export function serverOwner(): Owner | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function reachable(dir: string, owner: Owner): boolean {
  return spawnSync('test', ['-x', dir], { uid: owner.uid, gid: owner.gid }).status === 0;
}

function postmasterAlive(pgdata: string): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Fallback clusters whose requested dataDir has since been deleted were throwaway: remove them. */
function sweepOrphans(prefix: string): void {
  for (const entry of fs.readdirSync(FALLBACK_ROOT)) {
    if (!entry.startsWith(prefix)) continue;
    const dir = path.join(FALLBACK_ROOT, entry);
    try {
      const { origin } = JSON.parse(fs.readFileSync(path.join(dir, ORIGIN_FILE), 'utf8')) as { origin: string };
      if (fs.existsSync(origin) || postmasterAlive(path.join(dir, 'pgdata'))) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      process.stderr.write(`postgres: removed ${dir} (its data dir ${origin} no longer exists)\n`);
    } catch {
      // Not one of ours, or unreadable: leave it alone.
    }
  }
}

/**
 * dataDir itself, or, as root when the postgres user cannot reach it (a 700 home or mkdtemp folder),
 * a stable folder in /var/tmp named after it.
 */
export function resolveBase(dataDir: string, owner: Owner | null): string {
  const wanted = path.resolve(dataDir);
  fs.mkdirSync(wanted, { recursive: true });
  if (!owner || reachable(wanted, owner)) return wanted;
  const prefix = `${projectName()}-pg-`;
  sweepOrphans(prefix);
  const hash = crypto.createHash('sha256').update(wanted).digest('hex').slice(0, 12);
  const fallback = path.join(FALLBACK_ROOT, `${prefix}${hash}`);
  fs.mkdirSync(fallback, { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(fallback, ORIGIN_FILE), JSON.stringify({ origin: wanted }));
  process.stderr.write(`postgres: the postgres user cannot reach ${wanted}; keeping the cluster in ${fallback}\n`);
  return fallback;
}

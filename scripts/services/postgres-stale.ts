import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from './process-alive';

/** How long the backends of a killed postmaster get to notice and exit on their own. */
const ORPHAN_GRACE_MS = 3000;
/** How long the SIGQUIT they get after that may take to end them. */
const ORPHAN_QUIT_MS = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function comm(pid: number | string): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * Postgres processes working in this data directory (every server process chdirs into it). Read from
 * /proc, so elsewhere than Linux it finds none and Postgres's own error says what is wrong.
 */
function serverProcesses(pgdata: string): number[] {
  let dir: string;
  let entries: string[];
  try {
    dir = fs.realpathSync(pgdata);
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((entry) => {
      try {
        return fs.readlinkSync(`/proc/${entry}/cwd`) === dir && comm(entry) === 'postgres';
      } catch {
        return false; // gone meanwhile, or not ours to inspect
      }
    })
    .map(Number);
}

/** Polls until none of the server processes is left; false when time ran out. */
async function allGone(pgdata: string, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    if (serverProcesses(pgdata).length === 0) return true;
  }
  return serverProcesses(pgdata).length === 0;
}

/**
 * Whatever a previous server left on this data directory is ended before we start ours:
 * - a postmaster still running (its parent crashed) gets a fast shutdown;
 * - the backends of a postmaster that was SIGKILLed: a new postmaster refuses to start while they still hold
 *   the old shared memory. Idle ones exit by themselves within moments; one busy in a long query only notices
 *   when it ends, so after a grace period they get SIGQUIT, as a postmaster does to its children after a crash.
 * A stale postmaster.pid alone is no problem: Postgres replaces it itself.
 */
export async function clearStale(pgdata: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return; // No pid file: the last server stopped cleanly.
  }
  if (pid && isAlive(pid)) {
    if (!comm(pid)?.startsWith('postgres')) return; // The pid was reused: not ours to stop.
    process.kill(pid, 'SIGINT');
    for (let waited = 0; waited < 30_000; waited += 100) {
      if (!isAlive(pid)) return;
      await sleep(100);
    }
    throw new Error(`a postgres (pid ${pid}) still runs on ${pgdata} and did not stop`);
  }
  if (await allGone(pgdata, ORPHAN_GRACE_MS)) return;
  for (const orphan of serverProcesses(pgdata)) {
    try {
      process.kill(orphan, 'SIGQUIT');
    } catch {
      // Exited meanwhile.
    }
  }
  await allGone(pgdata, ORPHAN_QUIT_MS);
}

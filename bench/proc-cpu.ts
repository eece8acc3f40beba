/**
 * CPU time of a process and everything under it, read from /proc (Linux only): utime + stime of
 * the process and of its live descendants (Postgres backends, uvicorn workers, ...), plus the
 * cutime + cstime its exited children left behind. Differences of two readings give the CPU a
 * process tree spent in between, with no instrumentation inside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime, in ticks. */
  own: number;
  /** cutime + cstime (children that exited and were waited for), in ticks. */
  reaped: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  return {
    pid,
    ppid: Number(fields[1]),
    own: Number(fields[11]) + Number(fields[12]),
    reaped: Number(fields[13]) + Number(fields[14]),
  };
}

function allStats(): Stat[] {
  const stats: Stat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** CPU milliseconds used so far by each named process tree (NaN for a process that is gone). */
export function cpuMs(roots: Readonly<Record<string, number>>): Record<string, number> {
  const stats = allStats();
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  const children = new Map<number, Stat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const tree = (root: Stat): number => {
    let ticks = root.own + root.reaped;
    const queue = [...(children.get(root.pid) ?? [])];
    for (let s = queue.pop(); s; s = queue.pop()) {
      ticks += s.own + s.reaped;
      queue.push(...(children.get(s.pid) ?? []));
    }
    return ticks;
  };
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(roots)) {
    const root = byPid.get(pid);
    out[name] = root ? (tree(root) * 1000) / TICKS_PER_SECOND : Number.NaN;
  }
  return out;
}

/** The 1, 5 and 15 minute load averages. */
export function loadAverage(): [number, number, number] {
  const [a, b, c] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [a, b, c];
}

/** after - before, per name. */
export function cpuDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((name) => [name, after[name] - (before[name] ?? Number.NaN)]));
}

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** How a supervisor wants every process of a service spawned; starters pass it through. */
export interface SpawnControl {
  /** Aborting it stops the child: a start given up on (shutdown while it was still getting ready). */
  signal?: AbortSignal;
  /**
   * Starts the child in its own process group, so a terminal's Ctrl-C reaches only the parent, which then
   * stops its children in order. (A SIGKILLed parent leaves its children running either way.)
   */
  ownProcessGroup?: boolean;
}

export interface ChildOptions extends SpawnControl {
  /** Short name used in messages, e.g. "postgres". */
  name: string;
  command: string;
  args: readonly string[];
  /** stdout and stderr are appended here; the file survives the process for post-mortems. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Signal asking for a clean shutdown (Postgres wants SIGINT for a fast shutdown). */
  stopSignal?: NodeJS.Signals;
  /** How long stop() waits after stopSignal before SIGKILL. */
  graceMs?: number;
}

export interface WaitOptions {
  timeoutMs: number;
  /** What is awaited, for the error message: "Postgres to accept connections". */
  what: string;
  intervalMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started process as a supervisor needs it: its pid, its end, and a way to end it. */
export interface RunningProcess {
  readonly pid: number;
  /** Settles when the process has exited. */
  readonly exit: Promise<ExitStatus>;
  /** Asks the process to stop, then kills it; resolves once it is gone. */
  stop(): Promise<void>;
}

export interface Child extends RunningProcess {
  readonly name: string;
  readonly logFile: string;
  readonly exited: boolean;
  /** Polls check until it returns true; fails with the log tail on timeout or early exit. */
  waitFor(check: () => boolean | Promise<boolean>, opts: WaitOptions): Promise<void>;
  /** stopSignal, then SIGKILL after the grace period; resolves once the process is gone. */
  stop(): Promise<void>;
}

const running = new Set<Child>();

/** Stops every child started through spawnChild that is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** SIGKILLs every child started through spawnChild that is still running: the last resort of a second Ctrl-C. */
export function killAll(): void {
  for (const child of running) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // Already gone; its exit event has not been handled yet.
    }
  }
}

/** The last lines of a log file, or a note that there is none. */
export function logTail(file: string, lines = 40): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trimEnd();
  } catch {
    return `(no log at ${file})`;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a long-running process; it stays this process's child (never unref'd), whatever its process group. */
export async function spawnChild(opts: ChildOptions): Promise<Child> {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = fs.openSync(opts.logFile, 'a');
  fs.writeSync(fd, `\n--- ${new Date().toISOString()} ${opts.command} ${opts.args.join(' ')}\n`);
  const proc = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    uid: opts.uid,
    gid: opts.gid,
    detached: opts.ownProcessGroup ?? false,
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  await new Promise<void>((resolve, reject) => {
    proc.once('spawn', resolve);
    proc.once('error', (err) => reject(new Error(`${opts.name}: cannot start ${opts.command}: ${err.message}`)));
  });

  let exited = false;
  const exit = new Promise<ExitStatus>((resolve) => {
    proc.once('exit', (code, signal) => {
      exited = true;
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const describeExit = async (): Promise<string> => {
    const { code, signal } = await exit;
    return signal ? `signal ${signal}` : `code ${code}`;
  };

  const child: Child = {
    name: opts.name,
    pid: proc.pid as number,
    logFile: opts.logFile,
    get exited() {
      return exited;
    },
    exit,
    async waitFor(check, { timeoutMs, what, intervalMs = 200 }) {
      const deadline = Date.now() + timeoutMs;
      let lastError = '';
      for (;;) {
        if (exited) {
          throw new Error(
            `${opts.name} exited (${await describeExit()}) while waiting for ${what}. ` +
              `Last lines of ${opts.logFile}:\n${logTail(opts.logFile)}`,
          );
        }
        try {
          if (await check()) return;
        } catch (err) {
          lastError = err instanceof Error ? err.message : String(err);
        }
        if (Date.now() >= deadline) {
          throw new Error(
            `Timed out after ${timeoutMs} ms waiting for ${what}` +
              (lastError ? ` (last error: ${lastError})` : '') +
              `. Last lines of ${opts.logFile}:\n${logTail(opts.logFile)}`,
          );
        }
        await Promise.race([sleep(intervalMs), exit]);
      }
    },
    async stop() {
      if (exited) return;
      proc.kill(opts.stopSignal ?? 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          if (!exited) proc.kill('SIGKILL');
          resolve();
        }, opts.graceMs ?? 10_000);
      });
      await Promise.race([exit, killed]);
      clearTimeout(timer);
      await exit;
    },
  };
  running.add(child);
  if (opts.signal) {
    const stop = (): void => void child.stop();
    if (opts.signal.aborted) stop();
    else {
      opts.signal.addEventListener('abort', stop, { once: true });
      void exit.then(() => opts.signal?.removeEventListener('abort', stop));
    }
  }
  return child;
}

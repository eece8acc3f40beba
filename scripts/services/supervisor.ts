import type { ExitStatus, RunningProcess } from './child';

/** One supervised part of the stack. */
export interface ServiceDefinition<T extends RunningProcess = RunningProcess> {
  /** Short name used in messages and in {@link Supervisor.pids}, e.g. "api". */
  name: string;
  /**
   * Starts the process and resolves once it is ready to serve (the same readiness check on every start);
   * rejects when it dies or never gets ready, after stopping it. Aborting `signal` must stop the process:
   * the supervisor aborts a start still in flight when it is told to stop.
   */
  start(signal: AbortSignal): Promise<T>;
  /** Named in messages about this service so an operator knows where to look. */
  logFile?: string;
}

export interface SupervisorOptions {
  /** Where the supervisor reports deaths and restarts (one line each, no trailing newline). */
  log(message: string): void;
  /** Wait before the first restart after a crash. */
  initialDelayMs?: number;
  /** The backoff doubles on each consecutive failure up to this. */
  maxDelayMs?: number;
  /** A process that stayed up this long since it was ready has its backoff reset. */
  stableAfterMs?: number;
  /** Called whenever a service's pid changes (null while it is down), e.g. to publish a pids file. */
  onChange?(pids: Readonly<Record<string, number | null>>): void;
}

interface Entry {
  readonly def: ServiceDefinition;
  current: RunningProcess | null;
  /** The start in flight, aborted by stop(). */
  attempt: AbortController | null;
  /** Ends the backoff wait early (at stop()). */
  wake: (() => void) | null;
  /** The restart loop, settled once the service is stopped for good. */
  loop: Promise<void> | null;
}

const sleepUnless = (ms: number, entry: Entry): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      entry.wake = null;
      resolve();
    }
    entry.wake = done;
  });

/** "500 ms", "2 s": backoffs are read by people watching a terminal. */
function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

function describeExit({ code, signal }: ExitStatus): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/**
 * Keeps a set of processes running like a process manager: a process that exits is restarted with
 * exponential backoff (and counts as up again only once its start's readiness check passes), while
 * the others keep running. stop() stops them in the reverse order of {@link Supervisor.add}, with no
 * restarts from then on.
 */
export class Supervisor {
  private readonly entries: Entry[] = [];
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly stableAfterMs: number;
  private stopped: Promise<void> | null = null;

  constructor(private readonly opts: SupervisorOptions) {
    this.initialDelayMs = opts.initialDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 30_000;
    this.stableAfterMs = opts.stableAfterMs ?? 60_000;
  }

  /** True once stop() was called. */
  get stopping(): boolean {
    return this.stopped !== null;
  }

  /**
   * Starts a service and supervises it from then on. A failed first start is not retried: it rejects with
   * the start's error (and the service is forgotten), as a stack that cannot start at all should say why
   * rather than retry forever.
   */
  async add<T extends RunningProcess>(def: ServiceDefinition<T>): Promise<T> {
    if (this.entries.some((e) => e.def.name === def.name)) throw new Error(`${def.name} is already supervised`);
    if (this.stopping) throw new Error(`cannot start ${def.name}: stopping`);
    const entry: Entry = { def, current: null, attempt: null, wake: null, loop: null };
    this.entries.push(entry);
    let proc: T;
    try {
      proc = await this.startOnce(entry, def);
    } catch (err) {
      this.entries.splice(this.entries.indexOf(entry), 1);
      throw err;
    }
    if (this.stopping) {
      await proc.stop();
      throw new Error(`${def.name} started while stopping`);
    }
    this.up(entry, proc);
    entry.loop = this.supervise(entry, proc);
    return proc;
  }

  /** Each service's current pid, null while it is down or being restarted. */
  pids(): Record<string, number | null> {
    return Object.fromEntries(this.entries.map((e) => [e.def.name, e.current?.pid ?? null]));
  }

  /**
   * Stops every service, last added first, each after the one before it is gone; starts in flight are
   * aborted and no service is restarted from then on. Calling it again returns the same promise.
   */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    for (const entry of this.entries) {
      entry.wake?.();
      entry.attempt?.abort();
    }
    for (const entry of [...this.entries].reverse()) {
      try {
        await entry.current?.stop();
      } catch (err) {
        // The next ones must still be stopped.
        this.opts.log(`stopping ${entry.def.name} failed: ${firstLine(err)}`);
      }
    }
    await Promise.all(this.entries.map((e) => e.loop));
  }

  private async startOnce<T extends RunningProcess>(entry: Entry, def: ServiceDefinition<T>): Promise<T> {
    const attempt = new AbortController();
    entry.attempt = attempt;
    try {
      return await def.start(attempt.signal);
    } finally {
      entry.attempt = null;
    }
  }

  private up(entry: Entry, proc: RunningProcess): void {
    entry.current = proc;
    this.changed();
  }

  private down(entry: Entry): void {
    entry.current = null;
    this.changed();
  }

  private changed(): void {
    try {
      this.opts.onChange?.(this.pids());
    } catch (err) {
      // A pids file that cannot be written must not stop the restarts.
      this.opts.log(`could not report the new pids: ${firstLine(err)}`);
    }
  }

  /** Runs until stop(): waits for the process to exit, then restarts it until a start succeeds. */
  private async supervise(entry: Entry, first: RunningProcess): Promise<void> {
    const { name, logFile } = entry.def;
    const see = logFile ? ` (see ${logFile})` : '';
    let proc = first;
    let readyAt = Date.now();
    let delay = this.initialDelayMs;
    for (;;) {
      const status = await proc.exit;
      if (this.stopping) return;
      this.down(entry);
      if (Date.now() - readyAt >= this.stableAfterMs) delay = this.initialDelayMs;
      this.opts.log(`${name} exited (${describeExit(status)}); restarting in ${formatDelay(delay)}${see}`);
      for (;;) {
        await sleepUnless(delay, entry);
        if (this.stopping) return;
        delay = Math.min(delay * 2, this.maxDelayMs);
        try {
          proc = await this.startOnce(entry, entry.def);
        } catch (err) {
          if (this.stopping) return;
          this.opts.log(`${name} did not come back (${firstLine(err)}); retrying in ${formatDelay(delay)}${see}`);
          continue;
        }
        if (this.stopping) {
          // Ready just as stop() went past it: stop() only stops what it saw running.
          await proc.stop();
          return;
        }
        break;
      }
      readyAt = Date.now();
      this.up(entry, proc);
      this.opts.log(`${name} is back up (pid ${proc.pid})`);
    }
  }
}

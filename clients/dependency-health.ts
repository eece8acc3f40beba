/**
 * Whether a dependency (Temporal) answers right now. A call that finds it down marks it down; while
 * down, callers refuse at once (a prompt 503) instead of each waiting out its own retries, and a
 * probe every `probeMs` notices when it is back. Transitions are logged, so an outage is visible.
 */
export class DependencyHealth {
  private down = false;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly name: string,
    private readonly probe: () => Promise<unknown>,
    private readonly log: (level: 'warn' | 'info', msg: string, fields?: Record<string, unknown>) => void,
    private readonly probeMs = 1000,
  ) {}

  get isDown(): boolean {
    return this.down;
  }

  markDown(reason: string): void {
    if (this.down || this.closed) return;
    this.down = true;
    this.log('warn', `${this.name} is unreachable; refusing work until it answers again`, { reason });
    this.schedule();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.probe().then(
        () => {
          this.down = false;
          this.log('info', `${this.name} answers again`);
        },
        () => {
          if (!this.closed) this.schedule();
        },
      );
    }, this.probeMs);
    this.timer.unref();
  }
}

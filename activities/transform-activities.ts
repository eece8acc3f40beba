import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';

/**
 * The failure type of a transform step that cannot succeed: its expression does not parse, fails
 * while it runs, runs past its time limit or memory, or its input or result is too large. Always
 * non-retryable: the same expression over the same data fails the same way.
 */
export const TRANSFORM_FAILED = 'transform_failed';

/** The largest input (serialized as JSON) and result a transform takes or gives. */
export const MAX_TRANSFORM_DATA_BYTES = 5 * 1024 * 1024;

export interface TransformInput {
  /** A JSONata expression. */
  expression: string;
  /** What the expression is evaluated over (the run's `{inputs, steps}`): JSON values. */
  data: unknown;
  /** The evaluation's time limit. */
  timeoutMs: number;
}

export interface TransformOptions {
  /** Largest input and result, serialized; default {@link MAX_TRANSFORM_DATA_BYTES}. */
  maxDataBytes?: number;
  /** Heap limit of an evaluation process, in MB; default 256. */
  memoryMb?: number;
  /** How many evaluations may run at once (one process each); default 2. Others wait their turn. */
  concurrency?: number;
  /** An idle evaluation process exits after this long; default 60 s. */
  idleMs?: number;
}

/**
 * The program of an evaluation process, run with `node -e` so that it is the same from the
 * TypeScript sources under jest and from dist/; the jsonata module is resolved by the parent and
 * passed by absolute path (argv[1]), with the largest result in bytes (argv[2]). Protocol over IPC:
 * the child sends `{ ready: true }` once jsonata is loaded, then answers each `{ expression, data }`
 * (data as JSON text) with `{ ok: true, result }` (JSON text) or `{ ok: false, phase, error }`.
 */
const CHILD_SOURCE = `
const jsonata = require(process.argv[1]);
const maxBytes = Number(process.argv[2]);
process.on('disconnect', () => process.exit(0));
const describe = (err) => ({
  message: String((err && err.message) || err),
  code: err && typeof err.code === 'string' ? err.code : undefined,
  position: err && typeof err.position === 'number' ? err.position : undefined,
});
// JSONata's lambdas and built-in functions are objects marked so, or JavaScript functions.
const isFunction = (v) =>
  typeof v === 'function' || (v !== null && typeof v === 'object' && (v._jsonata_lambda || v._jsonata_function));
process.on('message', async ({ expression, data }) => {
  let compiled;
  try {
    compiled = jsonata(expression);
  } catch (err) {
    process.send({ ok: false, phase: 'parse', error: describe(err) });
    return;
  }
  let value;
  try {
    value = await compiled.evaluate(JSON.parse(data));
  } catch (err) {
    process.send({ ok: false, phase: 'evaluate', error: describe(err) });
    return;
  }
  let result;
  try {
    if (isFunction(value)) throw new Error('it is a function');
    // JSON: JSONata's sequences become plain arrays, functions inside objects are dropped, and a
    // result of undefined (nothing matched) becomes null.
    result = JSON.stringify(value, (_key, v) => (isFunction(v) ? undefined : v));
    if (result === undefined) result = 'null';
  } catch (err) {
    process.send({ ok: false, phase: 'result', error: describe(err) });
    return;
  }
  const bytes = Buffer.byteLength(result);
  if (bytes > maxBytes) process.send({ ok: false, phase: 'size', bytes });
  else process.send({ ok: true, result });
});
process.send({ ready: true });
`;

interface EvaluationError {
  message: string;
  code?: string;
  position?: number;
}

type Answer =
  | { ok: true; result: string }
  | { ok: false; phase: 'parse' | 'evaluate' | 'result'; error: EvaluationError }
  | { ok: false; phase: 'size'; bytes: number };

function failed(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, TRANSFORM_FAILED);
}

function where(error: EvaluationError): string {
  const parts = [error.code, error.position === undefined ? undefined : `at position ${error.position}`];
  const said = parts.filter((p) => p !== undefined).join(' ');
  return said ? ` (${said})` : '';
}

function megabytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

/** What V8 prints on stderr when a heap limit is reached. */
const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Allocation failed/i;

/**
 * One evaluation process: runs one evaluation at a time; killed when one runs past its limit. A
 * process rather than a worker thread: a worker thread that makes one allocation far past its
 * `resourceLimits` (`$pad("", 300000000)`) aborts the whole process it lives in, while a child's
 * heap limit ends the child alone.
 */
class Evaluator {
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private pending?: { resolve(answer: Answer): void; reject(err: Error): void; timer: NodeJS.Timeout };
  private idleTimer?: NodeJS.Timeout;
  /** The end of the child's stderr, to tell a heap limit from another crash. */
  private stderrTail = '';
  alive = true;

  constructor(
    jsonataPath: string,
    private readonly memoryMb: number,
    maxResultBytes: number,
  ) {
    this.child = spawn(
      process.execPath,
      [`--max-old-space-size=${memoryMb}`, '-e', CHILD_SOURCE, jsonataPath, String(maxResultBytes)],
      // No environment: the expression cannot read it anyway, and the worker's secrets stay home.
      { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: {}, serialization: 'json' },
    );
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4096);
    });
    let started: () => void = () => undefined;
    let notStarted: (err: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      notStarted = reject;
    });
    this.ready.catch(() => undefined);

    this.child.on('message', (message: Answer | { ready: true }) => {
      if ('ready' in message) return started();
      const pending = this.pending;
      if (!pending) return;
      this.pending = undefined;
      clearTimeout(pending.timer);
      pending.resolve(message);
    });
    this.child.on('error', (err: Error) => {
      // Could not be started, or could not be sent a message.
      this.alive = false;
      const why = new Error(`The transform's evaluation process failed: ${err.message}`);
      notStarted(why);
      this.settleWith(why);
      this.child.kill('SIGKILL');
    });
    this.child.on('exit', (code, signal) => {
      this.alive = false;
      const why = OUT_OF_MEMORY.test(this.stderrTail)
        ? failed(`The transform used more memory than its ${this.memoryMb} MB limit.`)
        : new Error(`The transform's evaluation process stopped (${signal ?? `exit code ${code}`}).`);
      notStarted(why);
      this.settleWith(why);
    });
  }

  private settleWith(err: Error): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.reject(err);
  }

  async run(expression: string, data: string, timeoutMs: number): Promise<Answer> {
    await this.ready;
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settleWith(failed(`The transform took longer than ${timeoutMs} ms.`));
        this.terminate();
      }, timeoutMs);
      this.pending = { resolve, reject, timer };
      this.child.send({ expression, data });
    });
  }

  /** Busy: keeps the worker process alive while it works. */
  busy(): void {
    clearTimeout(this.idleTimer);
    this.child.ref();
    this.child.channel?.ref();
    this.stderr()?.ref();
  }

  /** Idle: never keeps the worker process alive, and exits after `idleMs` unless used again. */
  idle(idleMs: number, onExpired: () => void): void {
    this.child.unref();
    this.child.channel?.unref();
    this.stderr()?.unref();
    this.idleTimer = setTimeout(() => {
      onExpired();
      this.terminate();
    }, idleMs);
    this.idleTimer.unref();
  }

  /** The stderr pipe, a socket: unreferenced with the child, or it would keep the process alive. */
  private stderr(): Socket | undefined {
    return this.child.stderr instanceof Socket ? this.child.stderr : undefined;
  }

  terminate(): void {
    this.alive = false;
    clearTimeout(this.idleTimer);
    this.child.kill('SIGKILL');
  }
}

/**
 * Evaluation processes for JSONata transforms. A user's expression may run for a long time (a
 * recursive function that never ends) and JSONata's evaluation keeps the event loop busy while it
 * does, so it never runs on the activity worker's main thread: each evaluation runs in a small
 * child process (`node -e`, about 35 ms to start), reused for the next evaluation; one that runs
 * past the time limit is killed (the next evaluation starts a new one), and one that reaches its
 * heap limit dies alone.
 */
export class TransformPool {
  private readonly jsonataPath = require.resolve('jsonata');
  private readonly idleEvaluators: Evaluator[] = [];
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private closed = false;
  readonly maxDataBytes: number;
  private readonly memoryMb: number;
  private readonly concurrency: number;
  private readonly idleMs: number;

  constructor(options: TransformOptions = {}) {
    this.maxDataBytes = options.maxDataBytes ?? MAX_TRANSFORM_DATA_BYTES;
    this.memoryMb = options.memoryMb ?? 256;
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.idleMs = options.idleMs ?? 60_000;
  }

  /** Evaluates `expression` over `data` (JSON text); the result as JSON text. */
  async evaluate(expression: string, data: string, timeoutMs: number): Promise<string> {
    if (this.closed) throw new Error('The transform pool is closed.');
    // A slot: taken at once if one is free, else handed over by the evaluation that ends next.
    if (this.running < this.concurrency) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let evaluator: Evaluator | undefined;
    try {
      // The most recently used idle process (one that died while idle is dropped), else a new one.
      do evaluator = this.idleEvaluators.pop();
      while (evaluator && !evaluator.alive);
      evaluator ??= new Evaluator(this.jsonataPath, this.memoryMb, this.maxDataBytes);
      evaluator.busy();
      const answer = await evaluator.run(expression, data, timeoutMs);
      if (answer.ok) return answer.result;
      if (answer.phase === 'size') {
        const limit = megabytes(this.maxDataBytes);
        throw failed(`The transform's result is ${megabytes(answer.bytes)}, more than the ${limit} limit.`);
      }
      const { phase, error } = answer;
      if (phase === 'parse') {
        throw failed(`The transform's expression does not parse: ${error.message}${where(error)}.`);
      }
      if (phase === 'result') throw failed(`The transform's result is not a JSON value: ${error.message}.`);
      // D3137 is the expression's own `$error("...")`: its message is the whole story.
      throw failed(`The transform failed: ${error.message}${error.code === 'D3137' ? '' : where(error)}.`);
    } finally {
      if (evaluator?.alive && !this.closed) {
        const done = evaluator;
        done.idle(this.idleMs, () => {
          const at = this.idleEvaluators.indexOf(done);
          if (at >= 0) this.idleEvaluators.splice(at, 1);
        });
        this.idleEvaluators.push(done);
      } else {
        evaluator?.terminate();
      }
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Ends the idle processes; evaluations under way finish (their processes end with them). */
  close(): void {
    this.closed = true;
    for (const evaluator of this.idleEvaluators.splice(0)) evaluator.terminate();
  }
}

/**
 * The transform step's activity. `pool` is for tests; by default the factory makes its own (its
 * processes are started on first use and end after a minute unused).
 */
export function createTransformActivities(options: TransformOptions & { pool?: TransformPool } = {}) {
  const pool = options.pool ?? new TransformPool(options);
  return {
    /**
     * Evaluates a JSONata expression over `data`, in a child process and within `timeoutMs`;
     * the result is a JSON value (null when nothing matched). An expression that does not parse, fails,
     * runs too long or uses too much memory, and an input or result over the size limit, are
     * non-retryable `transform_failed` failures. A process that could not start or crashed for
     * another reason is an ordinary, retryable error.
     */
    async runTransform(input: TransformInput): Promise<unknown> {
      const { expression, timeoutMs } = input;
      if (typeof expression !== 'string' || expression.trim() === '') {
        throw failed('The transform has no expression.');
      }
      if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
        throw failed(`The transform's time limit is not a positive number of milliseconds: ${String(timeoutMs)}.`);
      }
      let data: string;
      try {
        data = JSON.stringify(input.data) ?? 'null';
      } catch (err) {
        throw failed(`The transform's input is not JSON: ${err instanceof Error ? err.message : String(err)}.`);
      }
      const limit = pool.maxDataBytes;
      const size = Buffer.byteLength(data);
      if (size > limit) {
        throw failed(`The transform's input is ${megabytes(size)}, more than the ${megabytes(limit)} limit.`);
      }
      // The child refuses a result over the limit before sending it.
      return JSON.parse(await pool.evaluate(expression, data, timeoutMs)) as unknown;
    },
  };
}

export type TransformActivities = ReturnType<typeof createTransformActivities>;

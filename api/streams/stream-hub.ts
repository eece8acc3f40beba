import type { Readable } from 'node:stream';
import type { ProviderTaskResult } from '../../workflows/agent-protocol';

/** A stream attached by an agent, and how to tell the agent the client got it all (or not). */
export interface AttachedStream {
  kind: 'stream';
  source: Readable;
  done(delivered: boolean): void;
}

/** A buffered answer Temporal has already accepted from the agent. */
export interface DeliveredResult {
  kind: 'result';
  result: ProviderTaskResult;
}

export type Reply = AttachedStream | DeliveredResult;

interface Waiter {
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

export class StreamGoneError extends Error {
  override readonly name = 'StreamGoneError';
}

/**
 * Clients of this API instance waiting for an agent's answer, by id: a streamed body or a
 * buffered result. The agent's connection may land on any instance; that instance relays the
 * answer here (see relay.ts), so waiting never depends on which replica an agent reached.
 */
export class StreamHub {
  private readonly waiters = new Map<string, Waiter>();

  /** Registers a client; the promise settles when an answer arrives or `cancel` is called. */
  wait(id: string): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      this.waiters.set(id, { resolve, reject });
    });
  }

  cancel(id: string): void {
    const waiter = this.take(id);
    waiter?.reject(new StreamGoneError(`${id} is no longer awaited`));
  }

  /**
   * Hands `source` to the waiting client and resolves once the client has everything (true)
   * or went away (false). Throws StreamGoneError when nobody waits: a second attempt, or a
   * client that already left.
   */
  attach(id: string, source: Readable): Promise<boolean> {
    const waiter = this.take(id);
    if (!waiter) return Promise.reject(new StreamGoneError(`no client is waiting for stream ${id}`));
    return new Promise<boolean>((done) => waiter.resolve({ kind: 'stream', source, done }));
  }

  /** Hands a buffered result to the waiting client; false when nobody waits any more. */
  deliver(id: string, result: ProviderTaskResult): boolean {
    const waiter = this.take(id);
    waiter?.resolve({ kind: 'result', result });
    return waiter !== undefined;
  }

  get size(): number {
    return this.waiters.size;
  }

  private take(id: string): Waiter | undefined {
    const waiter = this.waiters.get(id);
    this.waiters.delete(id);
    return waiter;
  }
}

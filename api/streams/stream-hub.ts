import type { Readable } from 'node:stream';

/** A stream attached by an agent, and how to tell the agent the client got it all (or not). */
export interface AttachedStream {
  source: Readable;
  done(delivered: boolean): void;
}

interface Waiter {
  resolve(stream: AttachedStream): void;
  reject(err: Error): void;
}

export class StreamGoneError extends Error {
  override readonly name = 'StreamGoneError';
}

/**
 * Streams this API instance's clients are waiting for, by id. An agent's streamed body lands
 * on whichever instance its connection reached; that instance relays it here (see relay.ts).
 */
export class StreamHub {
  private readonly waiters = new Map<string, Waiter>();

  /** Registers a client; the promise settles when an agent attaches or `cancel` is called. */
  wait(streamId: string): Promise<AttachedStream> {
    return new Promise<AttachedStream>((resolve, reject) => {
      this.waiters.set(streamId, { resolve, reject });
    });
  }

  cancel(streamId: string): void {
    const waiter = this.waiters.get(streamId);
    if (!waiter) return;
    this.waiters.delete(streamId);
    waiter.reject(new StreamGoneError(`stream ${streamId} is no longer awaited`));
  }

  /**
   * Hands `source` to the waiting client and resolves once the client has everything (true)
   * or went away (false). Throws StreamGoneError when nobody waits: a second attempt, or a
   * client that already left.
   */
  attach(streamId: string, source: Readable): Promise<boolean> {
    const waiter = this.waiters.get(streamId);
    if (!waiter) return Promise.reject(new StreamGoneError(`no client is waiting for stream ${streamId}`));
    this.waiters.delete(streamId);
    return new Promise<boolean>((done) => waiter.resolve({ source, done }));
  }

  get size(): number {
    return this.waiters.size;
  }
}

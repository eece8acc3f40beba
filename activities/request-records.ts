import type { Db } from '../db/database';
import { insertRequest, type NewRequest } from '../db/repositories/request.repository';

/**
 * A request's row is inserted while its task is already on the way to the agent: the answer
 * never waits for that write. Later writes for the same request in this process (an attempt, the
 * assets, the outcome) wait for it first; the outcome is an upsert, so a row whose insert was
 * lost (a worker that died just after dispatch) is still written whole at the end.
 */
export class RequestRecords {
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly db: Db) {}

  /** Inserts the PROCESSING row in the background; a failure goes to onError, not to the caller. */
  begin(row: NewRequest, onError: (err: unknown) => void): void {
    const insert = insertRequest(this.db, row, 'PROCESSING').catch(onError);
    this.pending.set(row.id, insert);
    void insert.finally(() => {
      if (this.pending.get(row.id) === insert) this.pending.delete(row.id);
    });
  }

  /** Settles once this process's insert for the request, if any, has landed or failed. */
  async settled(requestId: string): Promise<void> {
    await this.pending.get(requestId);
  }
}

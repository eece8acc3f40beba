import type { Logger } from '../../clients/logger';
import type { Db } from '../../db/database';
import { markPickedUp } from '../../db/repositories/request.repository';

const TRIES = 8;
const DELAY_MS = 100;

/**
 * Records that an agent took a request's task (QUEUED becomes PROCESSING), after the agent has
 * it, so the poll never waits for the write. The workflow writes the row beside the dispatch, so
 * a quick agent can arrive first: the update is tried again for a moment.
 */
export function recordPickup(db: Db, logger: Logger, requestId: string): void {
  const attempt = async (left: number): Promise<void> => {
    if (await markPickedUp(db, requestId)) return;
    if (left <= 1) return;
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS));
    await attempt(left - 1);
  };
  attempt(TRIES).catch((err: unknown) => logger.warn('pickup not recorded', { requestId, err: String(err) }));
}

import type { Logger } from '../../clients/logger';
import type { Db } from '../../db/database';
import { markProviderGone, markProviderSeen } from '../../db/repositories/provider.repository';
import type { Provider } from '../../db/tables/provider.table';

/**
 * Which providers have agents connected to this API, by their long-polls. Busy is not dead: an
 * agent with every slot taken has no poll waiting, yet heartbeats. Gone is: when the last poll a
 * provider had here closes under it (the process died, or stopped), it counts as offline at once,
 * so no request waits for it and the ones waiting fail over. A poll from a provider that counted
 * as offline brings it back without waiting for its next heartbeat.
 */
export class AgentPresence {
  private readonly polls = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly onlineSeconds: number,
    private readonly logger: Logger,
  ) {}

  /** A poll begins; returns the function to call when it ends, saying whether its agent left. */
  polling(provider: Provider): (agentLeft: boolean) => void {
    const id = provider.id;
    this.polls.set(id, (this.polls.get(id) ?? 0) + 1);
    if (provider.last_heartbeat_at.getTime() < Date.now() - this.onlineSeconds * 1000) {
      this.background('provider seen again', markProviderSeen(this.db, id));
    }
    let ended = false;
    return (agentLeft) => {
      if (ended) return;
      ended = true;
      const left = (this.polls.get(id) ?? 1) - 1;
      if (left > 0) this.polls.set(id, left);
      else this.polls.delete(id);
      if (agentLeft && left === 0) this.background('provider gone', markProviderGone(this.db, id, this.onlineSeconds));
    };
  }

  private background(what: string, write: Promise<void>): void {
    write.catch((err: unknown) => this.logger.warn(`${what}: not recorded`, { err: String(err) }));
  }
}

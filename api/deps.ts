import type { Config } from '../config/config';
import type { TemporalClients } from '../clients/temporal';
import type { Logger } from '../clients/logger';
import type { Storage } from '../clients/storage';
import type { Db } from '../db/database';
import type { AgentGateway } from './gateway/agent-gateway';
import type { Lifecycle } from './http/lifecycle';
import type { StreamHub } from './streams/stream-hub';

/** Everything a route needs, built once by the App. */
export interface ApiDeps {
  config: Config;
  db: Db;
  storage: Storage;
  temporal: TemporalClients;
  logger: Logger;
  hub: StreamHub;
  gateway: AgentGateway;
  /** Draining on stop: new work refused, long-polls ended, a deadline for requests in flight. */
  lifecycle: Lifecycle;
}

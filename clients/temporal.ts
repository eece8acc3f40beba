import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config/config';

export interface TemporalClients {
  /**
   * One native (Core) connection per process, shared by the client, the agent gateway's polls
   * and an in-process worker: sharing it is what lets a start hand its first workflow task
   * straight to that worker (eager start).
   */
  connection: NativeConnection;
  client: Client;
}

/** A failure to connect propagates so the process fails loudly. */
export async function connectTemporal(config: Pick<Config, 'temporal'>): Promise<TemporalClients> {
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  return { connection, client: new Client({ connection, namespace: config.temporal.namespace }) };
}

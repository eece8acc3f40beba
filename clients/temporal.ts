import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/config';

export interface TemporalClients {
  connection: Connection;
  client: Client;
}

/** One connection per process; a failure to connect propagates so the process fails loudly. */
export async function connectTemporal(config: Pick<Config, 'temporal'>): Promise<TemporalClients> {
  const connection = await Connection.connect({ address: config.temporal.address });
  return { connection, client: new Client({ connection, namespace: config.temporal.namespace }) };
}

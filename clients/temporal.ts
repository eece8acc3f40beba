import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config/config';

export interface TemporalClients {
  /**
   * The native (Core) connection. An in-process worker shares it with `client`, which is what lets
   * a start hand its first workflow task straight to that worker (eager start).
   */
  native: NativeConnection;
  /** Starts, cancels, describes and answers activity tasks, over `native`. */
  client: Client;
  /**
   * A grpc-js connection for long-polls that must end when their HTTP caller leaves (an agent's
   * task poll, a client's wait on a result): NativeConnection cannot abort a call in flight yet.
   */
  connection: Connection;
  /** Waits on workflow results over `connection`, so `connection.withAbortSignal` bounds them. */
  waits: Client;
  close(): Promise<void>;
}

/** One of each connection per process; a failure to connect propagates so the process fails loudly. */
export async function connectTemporal(config: Pick<Config, 'temporal'>): Promise<TemporalClients> {
  const { address, namespace } = config.temporal;
  const [native, connection] = await Promise.all([
    NativeConnection.connect({ address }),
    Connection.connect({ address }),
  ]);
  return {
    native,
    client: new Client({ connection: native, namespace }),
    connection,
    waits: new Client({ connection, namespace }),
    async close() {
      await Promise.all([native.close(), connection.close()]);
    },
  };
}

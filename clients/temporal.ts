import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config/config';
import { GrpcCloseGuard } from './grpc-close-guard';

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
  const guard = new GrpcCloseGuard();
  const [native, connection] = await Promise.all([
    NativeConnection.connect({ address }),
    Connection.connect({ address, interceptors: guard.interceptors() }),
  ]);
  return {
    native,
    client: new Client({ connection: native, namespace }),
    connection,
    waits: new Client({ connection, namespace }),
    async close() {
      // Long-polls in flight end now (CANCELLED) instead of outliving the close, and no retry reaches the closed channel.
      guard.close();
      await Promise.all([native.close(), connection.close()]);
    },
  };
}

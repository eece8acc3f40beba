import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from '../config/config';
import { DependencyHealth } from './dependency-health';
import { GrpcCloseGuard } from './grpc-close-guard';
import type { Logger } from './logger';

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
  /** Down after a call found the server unreachable, until a health check answers again. */
  health: DependencyHealth;
  close(): Promise<void>;
}

/** How long a health probe may take before the server counts as still down. */
const PROBE_DEADLINE_MS = 1000;

/** One of each connection per process; a failure to connect propagates so the process fails loudly. */
export async function connectTemporal(
  config: Pick<Config, 'temporal'>,
  logger?: Pick<Logger, 'warn' | 'info'>,
): Promise<TemporalClients> {
  const { address, namespace } = config.temporal;
  const guard = new GrpcCloseGuard();
  const [native, connection] = await Promise.all([
    NativeConnection.connect({ address }),
    Connection.connect({ address, interceptors: guard.interceptors() }),
  ]);
  const health = new DependencyHealth(
    'Temporal',
    () => connection.withDeadline(Date.now() + PROBE_DEADLINE_MS, () => connection.healthService.check({})),
    (level, msg, fields) => logger?.[level](msg, fields),
  );
  return {
    native,
    client: new Client({ connection: native, namespace }),
    connection,
    waits: new Client({ connection, namespace }),
    health,
    async close() {
      health.close();
      // Long-polls in flight end now (CANCELLED) instead of outliving the close, and no retry reaches the closed channel.
      guard.close();
      await Promise.all([native.close(), connection.close()]);
    },
  };
}

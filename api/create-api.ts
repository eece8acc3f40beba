import type { Worker } from '@temporalio/worker';
import type { Config } from '../config/config';
import { createLogger } from '../clients/logger';
import { createStorage, ensureBucket } from '../clients/storage';
import { connectTemporal } from '../clients/temporal';
import { createDb, type Db } from '../db/database';
import { createWorker } from '../worker/create-worker';
import { App } from './app';
import { AgentGateway } from './gateway/agent-gateway';
import { Lifecycle } from './http/lifecycle';
import { StreamHub } from './streams/stream-hub';

export interface RunningApi {
  app: App;
  url: string;
  stop(): Promise<void>;
}

export interface ApiOptions {
  /** Prebuilt workflow bundle for the in-process inference worker (see worker/create-worker). */
  workflowBundlePath?: string;
  /** A pool to use instead of one from DATABASE_URL (the benchmark times the queries on it). */
  db?: Db;
}

/** Builds the API's clients from config, starts its inference worker (unless disabled) and listens. */
export async function startApi(config: Config, options: ApiOptions = {}): Promise<RunningApi> {
  const logger = createLogger('api', config.logLevel);
  const db =
    options.db ??
    createDb(config.databaseUrl, {
      onIdleError: (err) => logger.warn('database connection lost; it will be replaced', { err: err.message }),
    });
  const temporal = await connectTemporal(config, logger);
  const storage = createStorage(config);
  await ensureBucket(storage, config.s3.region);
  // Polling the platform queue on the client's own connection makes eager start possible: the
  // server answers a start with the workflow's first task, which this worker runs at once.
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  if (config.api.inferenceWorker) {
    worker = await createWorker({
      config,
      db,
      storage,
      connection: temporal.native,
      workflowBundlePath: options.workflowBundlePath,
    });
    workerRun = worker.run();
    workerRun.catch((err: unknown) => logger.error('in-process inference worker stopped', { err: String(err) }));
  }
  const gateway = new AgentGateway(
    temporal.connection,
    temporal.client,
    config.temporal.namespace,
    config.api.gatewaySecret,
    config.dispatch.agentPollMs,
    storage,
  );
  const lifecycle = new Lifecycle();
  const app = new App({ config, db, storage, temporal, logger, hub: new StreamHub(), gateway, lifecycle });
  const url = await app.start();
  return {
    app,
    url,
    async stop() {
      await app.stop();
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun?.catch(() => undefined);
      await temporal.close();
      if (!options.db) await db.destroy();
    },
  };
}

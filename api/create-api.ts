import type { Config } from '../config/config';
import { createLogger } from '../clients/logger';
import { createStorage, ensureBucket } from '../clients/storage';
import { connectTemporal } from '../clients/temporal';
import { createDb } from '../db/database';
import { App } from './app';
import { AgentGateway } from './gateway/agent-gateway';
import { StreamHub } from './streams/stream-hub';

export interface RunningApi {
  app: App;
  url: string;
  stop(): Promise<void>;
}

/** Builds the API's clients from config and starts listening. */
export async function startApi(config: Config): Promise<RunningApi> {
  const logger = createLogger('api', config.logLevel);
  const db = createDb(config.databaseUrl);
  const temporal = await connectTemporal(config);
  const storage = createStorage(config);
  await ensureBucket(storage, config.s3.region);
  const gateway = new AgentGateway(
    temporal.connection,
    temporal.client,
    config.temporal.namespace,
    config.api.gatewaySecret,
    config.dispatch.agentPollMs,
  );
  const app = new App({ config, db, storage, temporal, logger, hub: new StreamHub(), gateway });
  const url = await app.start();
  return {
    app,
    url,
    async stop() {
      await app.stop();
      await temporal.connection.close();
      await db.destroy();
    },
  };
}

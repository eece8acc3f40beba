import { existsSync } from 'node:fs';
import path from 'node:path';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createStorage, type Storage } from '../clients/storage';
import type { Config } from '../config/config';
import type { Db } from '../db/database';

/** Where `npm run build` writes the prebuilt workflow bundle that production workers load. */
export const WORKFLOW_BUNDLE_PATH = path.resolve(__dirname, '..', 'workflow-bundle.js');

export interface WorkerDeps {
  config: Config;
  db: Db;
  connection: NativeConnection;
  /** The process's storage client when it has one; otherwise one is built from config. */
  storage?: Storage;
  /** A prebuilt bundle; without one the worker bundles `workflows/` itself (slower start). */
  workflowBundlePath?: string;
  /** Which queue to serve: the sync inference path (default) or orchestration (jobs, batches, runs). */
  queue?: 'inference' | 'orchestration';
}

/**
 * A platform worker: the workflows and the platform activities, on one queue. The worker process
 * runs one per queue; each API process runs one on the inference queue only, for eager workflow
 * start, so orchestration never runs inside an API.
 */
export async function createWorker({
  config,
  db,
  connection,
  storage,
  workflowBundlePath,
  queue = 'inference',
}: WorkerDeps): Promise<Worker> {
  const bundlePath = workflowBundlePath ?? (existsSync(WORKFLOW_BUNDLE_PATH) ? WORKFLOW_BUNDLE_PATH : undefined);
  const workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = bundlePath
    ? { workflowBundle: { codePath: bundlePath } }
    : { workflowsPath: require.resolve('../workflows') };
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: queue === 'inference' ? config.temporal.taskQueue : config.temporal.orchestrationQueue,
    activities: createActivities({ db, storage: storage ?? createStorage(config), config }),
    // A workflow cached by a worker that died moves to another worker after this, not the default
    // 10 s: a gate decided right after a crash (an Update) is answered within the API's patience.
    stickyQueueScheduleToStartTimeout: '3s',
    ...workflows,
  });
}

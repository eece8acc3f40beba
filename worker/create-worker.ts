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
}

/**
 * The platform worker: inference workflows and the platform activities on the platform queue.
 * The worker process runs one; each API process runs one too, for eager workflow start.
 */
export async function createWorker({
  config,
  db,
  connection,
  storage,
  workflowBundlePath,
}: WorkerDeps): Promise<Worker> {
  const bundlePath = workflowBundlePath ?? (existsSync(WORKFLOW_BUNDLE_PATH) ? WORKFLOW_BUNDLE_PATH : undefined);
  const workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = bundlePath
    ? { workflowBundle: { codePath: bundlePath } }
    : { workflowsPath: require.resolve('../workflows') };
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: createActivities({ db, storage: storage ?? createStorage(config), config }),
    ...workflows,
  });
}

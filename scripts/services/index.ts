export { canConnect, freePort, retryPortClash } from './ports';
export { killAll, logTail, spawnChild, stopAll } from './child';
export type { Child, ChildOptions, ExitStatus, RunningProcess, SpawnControl, WaitOptions } from './child';
export { logSince } from './log-since';
export { Supervisor } from './supervisor';
export type { ServiceDefinition, SupervisorOptions } from './supervisor';
export { run, runChecked } from './exec';
export type { RunOptions, RunResult } from './exec';
export {
  composeSchemaPath,
  MissingToolError,
  minioBin,
  postgresBinDir,
  projectName,
  repoRoot,
  temporalBin,
  toolsBinDir,
} from './tools';
export { LATENCY_TUNING, listSearchAttributes, SEARCH_ATTRIBUTES, startTemporal } from './temporal';
export type { TemporalOptions, TemporalServer } from './temporal';
export { startPostgres } from './postgres';
export type { PostgresOptions, PostgresServer } from './postgres';
export { minioLive, startMinio } from './minio';
export type { MinioOptions, MinioServer } from './minio';
export { isAlive } from './process-alive';

import { bool, ConfigError, hostPort, int, oneOf, origins, str, url } from './env';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly databaseUrl: string;
  readonly temporal: {
    readonly address: string;
    readonly namespace: string;
    /** Queue of the synchronous inference path (the API's eager worker and the worker process serve it). */
    readonly taskQueue: string;
    /** Queue of the orchestration workflows (async jobs, batches, workflow runs): the worker process only. */
    readonly orchestrationQueue: string;
  };
  readonly s3: {
    readonly endpoint: string;
    readonly accessKey: string;
    readonly secretKey: string;
    readonly bucket: string;
    readonly region: string;
  };
  readonly api: {
    readonly host: string;
    readonly port: number;
    /** How clients and agents reach this API; used in asset and stream URLs handed to agents. */
    readonly publicBaseUrl: string;
    /** How other API replicas reach this one for stream relays; defaults to publicBaseUrl. */
    readonly internalBaseUrl: string;
    /** HMAC secret shared by all API replicas: signs agent task tokens and relay calls. */
    readonly gatewaySecret: string;
    readonly maxBodyBytes: number;
    /** A provider's answer may be larger than the request that asked for it (agents' reports, relays). */
    readonly maxAnswerBytes: number;
    /**
     * Run an inference worker inside the API and start workflows eagerly: the first workflow task
     * comes back with the start call instead of a round trip through the task queue.
     */
    readonly inferenceWorker: boolean;
    /** Origins a browser may call /v1 from (bearer keys only, never cookies); `*` for any. */
    readonly corsOrigins: readonly string[] | '*';
    /** How long a signed output URL (an image's `url`, `x-asset-url`) works without a key. */
    readonly assetUrlTtlSeconds: number;
    /** On stop: how long requests in flight may finish before they are answered 503. */
    readonly drainMs: number;
    /** `"async": true` starts a job (202); false answers 503 `async_disabled`, as a server without jobs does. */
    readonly asyncJobs: boolean;
  };
  readonly dispatch: {
    /** A provider is online while its last heartbeat is younger than this. */
    readonly onlineSeconds: number;
    /**
     * How long a task waits for its agent before the workflow looks at why: a provider whose agent
     * is gone fails over, a busy one keeps the task (checked less and less often).
     */
    readonly pickupTimeoutMs: number;
    /** How long a sync call may wait for busy providers before a 503 with Retry-After. */
    readonly syncQueueMs: number;
    /** How long an async job may wait for a busy or absent provider before it fails. */
    readonly jobQueueMs: number;
    /** How many of one batch's jobs run at once, so one member's batch cannot starve everyone else. */
    readonly batchConcurrency: number;
    /** How many items of one workflow run's map step run at once. */
    readonly mapConcurrency: number;
    /** Agents heartbeat a running task at least this often, or the task fails over. */
    readonly taskHeartbeatTimeoutMs: number;
    readonly taskTimeoutMs: number;
    /** How long an agent's long-poll waits for a task before answering 204. */
    readonly agentPollMs: number;
    /** A request row counts as its provider's load for at most this long (longer than any task runs). */
    readonly inFlightSeconds: number;
  };
  readonly webhooks: {
    /**
     * Let webhook URLs reach loopback, private, link-local and other non-public addresses. Off in
     * production (SSRF guard); on in the local and test stacks, whose receivers listen on loopback.
     */
    readonly allowPrivate: boolean;
    /** How long one delivery attempt may take, connect to answer. */
    readonly timeoutMs: number;
  };
  readonly logLevel: LogLevel;
}

/** Reads the configuration once; throws a ConfigError naming the variable on any bad value. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const port = int(env, 'API_PORT', 8080, 0, 65535);
  const host = str(env, 'API_HOST', '127.0.0.1');
  const publicBaseUrl = url(env, 'PUBLIC_BASE_URL', `http://${host}:${port}`);
  const taskTimeoutMs = int(env, 'PROVIDER_TASK_TIMEOUT_MS', 600000, 1000);
  const maxBodyBytes = int(env, 'MAX_BODY_BYTES', 25 * 1024 * 1024, 1024);
  const taskQueue = str(env, 'TEMPORAL_TASK_QUEUE', 'inference');
  const config: Config = {
    databaseUrl: url(env, 'DATABASE_URL'),
    temporal: {
      address: hostPort(env, 'TEMPORAL_ADDRESS', '127.0.0.1:7233'),
      namespace: str(env, 'TEMPORAL_NAMESPACE', 'default'),
      taskQueue,
      orchestrationQueue: str(env, 'TEMPORAL_ORCHESTRATION_QUEUE', `${taskQueue}.orchestration`),
    },
    s3: {
      endpoint: url(env, 'S3_ENDPOINT'),
      accessKey: str(env, 'S3_ACCESS_KEY'),
      secretKey: str(env, 'S3_SECRET_KEY'),
      bucket: str(env, 'S3_BUCKET', 'inference'),
      region: str(env, 'S3_REGION', 'us-east-1'),
    },
    api: {
      host,
      port,
      publicBaseUrl,
      internalBaseUrl: url(env, 'INTERNAL_BASE_URL', publicBaseUrl),
      gatewaySecret: str(env, 'GATEWAY_SECRET'),
      maxBodyBytes,
      maxAnswerBytes: 4 * maxBodyBytes,
      inferenceWorker: bool(env, 'API_INFERENCE_WORKER', true),
      corsOrigins: origins(env, 'CORS_ORIGINS', '*'),
      assetUrlTtlSeconds: int(env, 'ASSET_URL_TTL_SECONDS', 3600, 1, 7 * 24 * 3600),
      drainMs: int(env, 'API_DRAIN_MS', 10000, 0, 600000),
      asyncJobs: bool(env, 'ASYNC_JOBS', true),
    },
    dispatch: {
      onlineSeconds: int(env, 'PROVIDER_ONLINE_SECONDS', 30, 1),
      pickupTimeoutMs: int(env, 'PROVIDER_PICKUP_TIMEOUT_MS', 3000, 100),
      syncQueueMs: int(env, 'SYNC_QUEUE_MS', 60_000, 0),
      jobQueueMs: int(env, 'JOB_QUEUE_MS', 24 * 3600 * 1000, 0),
      batchConcurrency: int(env, 'BATCH_CONCURRENCY', 16, 1, 256),
      mapConcurrency: int(env, 'RUN_MAP_CONCURRENCY', 8, 1, 256),
      taskHeartbeatTimeoutMs: int(env, 'PROVIDER_HEARTBEAT_TIMEOUT_MS', 10000, 500),
      taskTimeoutMs,
      // Temporal refuses a poll whose deadline leaves it under about two seconds.
      agentPollMs: int(env, 'AGENT_POLL_MS', 30000, 2000, 60000),
      // Derived, not read: the longest a task may run, plus a minute for failovers and records.
      inFlightSeconds: Math.ceil(taskTimeoutMs / 1000) + 60,
    },
    webhooks: {
      allowPrivate: bool(env, 'WEBHOOK_ALLOW_PRIVATE', false),
      timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10000, 100, 120000),
    },
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
  };
  if (config.api.gatewaySecret.length < 16) {
    throw new ConfigError('GATEWAY_SECRET must be at least 16 characters');
  }
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}

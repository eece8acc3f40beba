/**
 * The wire protocol between the platform and provider agents, defined once for both sides:
 * what the workflow schedules on a provider's queue, what the gateway hands an agent, and what
 * the agent says back (heartbeats, answers, failures).
 */
import type { OutputMode, PayloadRef, ServiceType, StreamTarget, Usage } from './inference-contract';

/** A presigned URL the agent may use, valid for the task's lifetime only. */
export interface TaskFile {
  field: string;
  url: string;
  filename: string;
  contentType: string;
}

/**
 * The provider activity's input, scheduled on `provider.<id>`. The gateway turns it into the
 * {@link AgentTask} an agent sees: the body inline, and no address of the API's replicas.
 */
export interface ProviderTask {
  requestId: string;
  serviceType: ServiceType;
  endpoint: string;
  body?: Record<string, unknown>;
  /** A body too large for a workflow payload, in the bucket. */
  bodyRef?: PayloadRef;
  stream: StreamTarget | null;
  reply?: StreamTarget | null;
  /** Inputs to fetch (GET); sent as multipart fields or injected into the JSON body by `field`. */
  files?: TaskFile[];
  encoding?: 'json' | 'multipart';
  /** Where to upload binary outputs (PUT, in order), and how the upstream returns them. */
  outputs?: { urls: string[]; mode: OutputMode };
  /** The gateway stores the answer in the bucket whatever its size (jobs keep their results). */
  storeAnswer?: boolean;
}

/** One task as an agent receives it. */
export interface AgentTask {
  requestId: string;
  serviceType: ServiceType;
  endpoint: string;
  /** Forwarded to the local server unchanged. */
  body: Record<string, unknown>;
  /** True when the client waits for the upstream's SSE body, relayed as it is produced. */
  stream: boolean;
  files?: TaskFile[];
  encoding?: 'json' | 'multipart';
  outputs?: { urls: string[]; mode: OutputMode };
}

/** `GET /api/inference/agent/tasks` answers this (or 204 when the poll expired empty). */
export interface PolledTask {
  /** Signed by the API; names the member, the provider and the Temporal task. */
  token: string;
  workflow_id: string;
  attempt: number;
  heartbeat_timeout_ms: number;
  task: AgentTask;
}

/** One binary output the agent uploaded to `task.outputs.urls[index]`. */
export interface UploadedOutput {
  index: number;
  content_type: string;
  bytes: number;
}

export interface ProviderTaskResult {
  status: number;
  /** The upstream JSON answer with inline base64 outputs removed; absent for raw outputs. */
  body?: unknown;
  /** Set by the gateway when the answer is too large for a workflow payload. */
  bodyRef?: PayloadRef;
  /** Set by the gateway with `bodyRef`: the stored answer's text, for the history (capped). */
  text?: string;
  usage?: Usage;
  outputs?: UploadedOutput[];
}

/** What an agent reports when it could not do a task (schemas/agent-task-failure.schema.json). */
export interface AgentTaskFailure {
  type: 'upstream_error' | 'upstream_unreachable' | 'agent_shutdown' | 'invalid_request_error' | 'storage_unavailable';
  message: string;
  status?: number;
}

/** A model as an agent advertises it in its heartbeat. */
export interface AdvertisedModel {
  id: string;
  service_type: string;
  input_modalities?: string[];
  output_modalities?: string[];
  supported_features?: string[];
  context_length?: number | null;
  voices?: { id: string; name?: string }[];
}

/** `POST /api/inference/agent/heartbeat/` (schemas/agent-heartbeat.schema.json). */
export interface AgentHeartbeat {
  name: string;
  shared: boolean;
  concurrency: number;
  models: AdvertisedModel[];
}

export interface HeartbeatAnswer {
  provider_id: string;
  online_seconds: number;
  heartbeat_interval_seconds: number;
}

/**
 * The activity a provider agent performs. No worker implements it: the API's agent gateway
 * polls `provider.<id>` queues on the agents' behalf and reports their answers to Temporal.
 */
export interface ProviderActivities {
  runProviderTask(task: ProviderTask): Promise<ProviderTaskResult>;
}

export function providerTaskQueue(providerId: string): string {
  return `provider.${providerId}`;
}

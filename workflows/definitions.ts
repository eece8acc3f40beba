/**
 * Types, names and signals shared by workflows, the worker and the API. The API imports
 * from here; workflow code never imports from the API.
 */
export const SERVICE_TYPES = ['llm', 'stt', 'tts', 'image', 'music', 'video', 'mesh'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** What a request is, which names its workflow id prefix (`chat-<id>`) and its endpoint. */
export const REQUEST_KINDS = {
  chat: { serviceType: 'llm', endpoint: '/v1/chat/completions' },
  completion: { serviceType: 'llm', endpoint: '/v1/completions' },
} as const satisfies Record<string, { serviceType: ServiceType; endpoint: string }>;
export type RequestKind = keyof typeof REQUEST_KINDS;

export const REQUEST_STATUSES = ['QUEUED', 'PROCESSING', 'PROCESSED', 'FAILED', 'CANCELED'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  [key: string]: unknown;
}

/** Where the API instance holding the client's connection waits for a streamed body. */
export interface StreamTarget {
  streamId: string;
  relayUrl: string;
}

export interface InferenceInput {
  requestId: string;
  memberId: string;
  kind: RequestKind;
  model: string;
  /** The client's body with the platform's own fields removed; forwarded unchanged. */
  body: Record<string, unknown>;
  stream: StreamTarget | null;
}

export interface InferenceOutput {
  requestId: string;
  providerId: string;
  status: number;
  /** The upstream JSON answer; absent when it was streamed straight to the client. */
  body?: unknown;
  usage?: Usage;
}

/** What the workflow hands a provider agent through its task queue. */
export interface ProviderTask {
  requestId: string;
  serviceType: ServiceType;
  endpoint: string;
  body: Record<string, unknown>;
  stream: StreamTarget | null;
}

export interface ProviderTaskResult {
  status: number;
  body?: unknown;
  usage?: Usage;
}

/**
 * The activity a provider agent performs. No worker implements it: the API's agent gateway
 * polls `provider.<id>` queues on the agents' behalf and reports their answers to Temporal.
 */
export interface ProviderActivities {
  runProviderTask(task: ProviderTask): Promise<ProviderTaskResult>;
}

export const PROVIDER_ACTIVITY = 'runProviderTask' satisfies keyof ProviderActivities;

export function providerTaskQueue(providerId: string): string {
  return `provider.${providerId}`;
}

export function workflowIdFor(kind: RequestKind, requestId: string): string {
  return `${kind}-${requestId}`;
}

/** Custom search attributes registered on the Temporal server (see scripts/services/temporal.ts). */
export const SEARCH_ATTRIBUTES = {
  member: 'InferenceMember',
  model: 'InferenceModel',
  serviceType: 'InferenceServiceType',
  kind: 'InferenceKind',
} as const;

export interface DispatchSettings {
  pickupTimeoutMs: number;
  heartbeatTimeoutMs: number;
  taskTimeoutMs: number;
}

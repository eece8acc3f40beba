import type { RequestHistory } from '../domain/request-sharing';

/**
 * The inference workflow's contract: what a request is, what the workflow takes and returns.
 * The API and parent workflows import from here; workflow code never imports from the API.
 */
export const SERVICE_TYPES = ['llm', 'stt', 'tts', 'image', 'music', 'video', 'mesh'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** What a request is, which names its workflow id prefix (`chat-<id>`) and its endpoint. */
export const REQUEST_KINDS = {
  chat: { serviceType: 'llm', endpoint: '/v1/chat/completions' },
  completion: { serviceType: 'llm', endpoint: '/v1/completions' },
  image: { serviceType: 'image', endpoint: '/v1/images/generations' },
  'image-edit': { serviceType: 'image', endpoint: '/v1/images/edits' },
  transcription: { serviceType: 'stt', endpoint: '/v1/audio/transcriptions' },
  speech: { serviceType: 'tts', endpoint: '/v1/audio/speech' },
  voice: { serviceType: 'tts', endpoint: '/v1/voice/generations' },
  music: { serviceType: 'music', endpoint: '/v1/music/generations' },
  video: { serviceType: 'video', endpoint: '/v1/videos/generations' },
  mesh: { serviceType: 'mesh', endpoint: '/v1/3d/generations' },
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

/**
 * A JSON document kept in the bucket instead of a Temporal payload (the claim-check pattern):
 * request bodies and answers over the inline limit travel as this reference.
 */
export interface PayloadRef {
  key: string;
  bytes: number;
}

/** Where the API instance holding the client's connection waits for a streamed body or an answer. */
export interface StreamTarget {
  streamId: string;
  relayUrl: string;
}

/** An input the client uploaded, already stored in the bucket under `key`. */
export interface InputFile {
  /**
   * Multipart field name (`image`, `image[]`, `mask`, `file`) when the task is sent as multipart;
   * for JSON tasks, a dotted path in the body where the agent puts the file's URL (`speakers.S1`).
   */
  field: string;
  key: string;
  filename: string;
  contentType: string;
}

/** How the provider returns binary outputs: inline base64 in `data[i].b64_json`, or the raw body. */
export type OutputMode = 'b64_json' | 'raw';

export interface InferenceInput {
  requestId: string;
  memberId: string;
  kind: RequestKind;
  model: string;
  /** The client's body with the platform's own fields removed; forwarded unchanged. */
  body?: Record<string, unknown>;
  /** The same body, stored in the bucket because it is too large for a workflow payload. */
  bodyRef?: PayloadRef;
  stream: StreamTarget | null;
  /**
   * Where a buffered client waits: the gateway hands the agent's answer straight to that API
   * instance once Temporal has accepted it, so the answer does not wait for the workflow to close.
   */
  reply?: StreamTarget | null;
  /** Features the chosen model must advertise (`vision`, `tool-use`, `voice-cloning`, ...). */
  requiredFeatures?: string[];
  /** Uploaded inputs; the agent fetches them through presigned GET URLs. */
  files?: InputFile[];
  /** `multipart` for endpoints whose upstream takes form data (image edits, transcriptions). */
  encoding?: 'json' | 'multipart';
  /** How many binary outputs to expect, and how the upstream returns them. */
  outputs?: { count: number; mode: OutputMode };
  /**
   * The providers for the first attempt, in order, when the API already read the registry: the
   * first workflow task then dispatches at once. Failovers always re-read it.
   */
  plan?: DispatchPlan;
  /**
   * How long the request may wait for a busy provider, and for a provider at all when every one it
   * could use has gone (jobs: hours; a sync call: its client's patience). Past it: 503, busy.
   */
  queueMs?: number;
  /**
   * Set for async jobs: the agent gateway stores the answer in the bucket whatever its size (so the
   * workflow's result, and a parent's history, holds only references), and when every provider it
   * could use has gone the job waits for one to come back (within `queueMs`) instead of failing.
   */
  job?: boolean;
  /** A job's webhook: called with the job object when it ends. */
  webhook?: string;
  /**
   * The caller wrote the request's first row (QUEUED on the plan's first provider) beside the
   * start: the workflow does not (one activity and one workflow task fewer for a sync call).
   */
  recorded?: boolean;
  /** The request's visibility and input summary for its history row (the API's sharing decision). */
  history?: RequestHistory;
  /** A workflow run's step made this request (its row says so). */
  parent?: { runId: string; stepId: string };
  /** The longest the whole request may take (a run step's time limit); past it, it fails. */
  timeoutMs?: number;
}

/** A stored output, as recorded in the assets table. */
export interface StoredAsset {
  id: string;
  key: string;
  contentType: string;
  bytes: number;
}

export interface InferenceOutput {
  requestId: string;
  providerId: string;
  status: number;
  /** The upstream JSON answer (binary outputs removed); absent when streamed or stored (`bodyRef`). */
  body?: unknown;
  /** The answer, stored in the bucket because it is too large for a workflow payload. */
  bodyRef?: PayloadRef;
  /** With `bodyRef`: the stored answer's text (capped), for the history. */
  text?: string;
  usage?: Usage;
  /** Binary outputs, in order, stored in the bucket. */
  assets?: StoredAsset[];
}

export function workflowIdFor(kind: RequestKind, requestId: string): string {
  return `${kind}-${requestId}`;
}

export interface DispatchSettings {
  /** How long a task waits for its agent before the workflow looks at why (gone, busy, idle elsewhere). */
  pickupTimeoutMs: number;
  heartbeatTimeoutMs: number;
  taskTimeoutMs: number;
}

/** Where a request goes: provider ids in dispatch order, and the timeouts of each attempt. */
export interface DispatchPlan {
  providerIds: string[];
  dispatch: DispatchSettings;
}

/** The per-attempt timeouts from the platform's dispatch configuration. */
export function dispatchSettings(d: {
  pickupTimeoutMs: number;
  taskHeartbeatTimeoutMs: number;
  taskTimeoutMs: number;
}): DispatchSettings {
  return {
    pickupTimeoutMs: d.pickupTimeoutMs,
    heartbeatTimeoutMs: d.taskHeartbeatTimeoutMs,
    taskTimeoutMs: d.taskTimeoutMs,
  };
}

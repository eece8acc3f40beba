/**
 * A workflow run's spec: a DAG of steps (schemas/workflow-spec.schema.json checks its shape; the
 * API's validator checks references, dependencies and cycles). Pure types and tables, shared by
 * the API and the run workflow.
 */
import type { RequestKind } from '../inference-contract';

export const STEP_KINDS = ['inference', 'map', 'gate', 'transform'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** The modality names a spec may use, and the inference kind each means (aliases included). */
export const STEP_TYPES = {
  chat: 'chat',
  llm: 'chat',
  completion: 'completion',
  image: 'image',
  'image-edit': 'image-edit',
  speech: 'speech',
  tts: 'speech',
  transcription: 'transcription',
  stt: 'transcription',
  music: 'music',
  video: 'video',
  '3d': 'mesh',
  mesh: 'mesh',
  voice: 'voice',
} as const satisfies Record<string, RequestKind>;
export type StepType = keyof typeof STEP_TYPES;

export interface StepSpec {
  /** Unique in the spec: letters, digits, `_` and `-`. */
  id: string;
  kind: StepKind;
  /** The modality of an inference or map step. */
  type?: StepType;
  title?: string;
  /**
   * The request body of an inference step, or of each item of a map (`{{item}}`, `{{index}}`); any
   * string in it may hold references. For a transform: unused (see `expression`).
   */
  body?: Record<string, unknown>;
  /** `json`: the model's text is parsed as JSON (code fences and prose around it tolerated). */
  extract?: 'json';
  /** A map's list: a reference to one (`{{steps.plan.output.titles}}`). */
  over?: string;
  /** Steps this one waits for besides the ones it references. */
  needs?: string[];
  /** Seconds one attempt may take; defaults per modality (chat seconds, video minutes). */
  timeout?: number;
  /** Further attempts after a failure; default 1 for inference. */
  retries?: number;
  /** A gate's deciders besides the run's owner: member names. */
  approvers?: string[];
  /** What a gate shows its approver: a reference (`{{steps.plan.output.scenes}}`) or any value. */
  show?: unknown;
  /** A map: failed items become null (listed in the step's errors) instead of failing the step. */
  allow_failures?: boolean;
  /** A transform: the JSONata expression, evaluated over `{inputs, steps}` (each step's output). */
  expression?: string;
}

export interface WorkflowSpec {
  steps: StepSpec[];
}

/** Default time limit and retries of one inference attempt, per modality. */
export const STEP_DEFAULTS: Record<RequestKind, { timeoutSeconds: number; retries: number }> = {
  chat: { timeoutSeconds: 120, retries: 1 },
  completion: { timeoutSeconds: 120, retries: 1 },
  image: { timeoutSeconds: 300, retries: 1 },
  'image-edit': { timeoutSeconds: 300, retries: 1 },
  speech: { timeoutSeconds: 300, retries: 1 },
  transcription: { timeoutSeconds: 300, retries: 1 },
  voice: { timeoutSeconds: 300, retries: 1 },
  music: { timeoutSeconds: 600, retries: 1 },
  mesh: { timeoutSeconds: 900, retries: 1 },
  video: { timeoutSeconds: 1800, retries: 1 },
};

/** A transform's time limit. */
export const TRANSFORM_TIMEOUT_MS = 2000;

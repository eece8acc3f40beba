/**
 * A workflow run's contract: what the run workflow takes, the state its query exposes, and the
 * gate decisions it accepts (as an Update from the API, or as plain signals from the Temporal UI
 * or CLI; one handler serves both). The API imports these; workflow code never imports the API.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { WorkflowSpec } from './spec';

export const RUN_STATUSES = ['RUNNING', 'AWAITING', 'DONE', 'FAILED', 'CANCELED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_STATUSES = ['PENDING', 'RUNNING', 'AWAITING', 'DONE', 'FAILED', 'CANCELED', 'SKIPPED'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** A stored output as a step's output holds it: `url` is the platform's link (signed when shown). */
export interface AssetValue {
  asset_id: string;
  url: string;
  content_type: string;
  bytes: number;
}

export interface RunInput {
  runId: string;
  memberId: string;
  memberName: string;
  template: string | null;
  spec: WorkflowSpec;
  inputs: Record<string, unknown>;
  /** How many items of a map run at once. */
  mapConcurrency: number;
  /** A retry: the steps that were DONE in the failed run, kept as they were (outputs included). */
  seed?: StepState[];
  /** A retry's number (1 for the first retry), so its children's ids differ from the failed run's. */
  generation?: number;
}

export interface GateState {
  show: unknown;
  approvers: string[];
  decision?: 'approved' | 'rejected';
  decided_by?: string;
  comment?: string;
  reason?: string;
  /** True when the approver replaced the shown value. */
  edited?: boolean;
}

export interface StepState {
  step_id: string;
  title: string | null;
  kind: string;
  type: string | null;
  status: StepStatus;
  started_at: string | null;
  finished_at: string | null;
  output: unknown;
  error: string | null;
  /** A map's items, in order. */
  items?: { status: StepStatus; error: string | null }[];
  /** A map with allow_failures: the items that failed. */
  errors?: { index: number; error: string }[];
  gate?: GateState;
  /** Inference: the request behind it (its job-like row); a map's are per item. */
  request_ids?: string[];
}

export interface RunState {
  status: RunStatus;
  steps: StepState[];
  error: string | null;
  finished_at: string | null;
}

export interface GateDecision {
  stepId: string;
  decision: 'approve' | 'reject';
  /** Replaces the shown value as the gate's output (approve only). */
  value?: unknown;
  comment?: string;
  reason?: string;
  /** Who decided: a member's name, or `operator` for a signal sent from the Temporal UI or CLI. */
  by: string;
  /** A signal: the operator reached the workflow itself, so the gate's approver list does not apply. */
  operator?: boolean;
}

export const runStateQuery = defineQuery<RunState>('state');
/** The API's way: a validator refuses a gate that is not waiting (409), atomically. */
export const decideGateUpdate = defineUpdate<StepState, [GateDecision]>('decide');
/** The operator's way, from the Temporal UI or CLI: `{"step_id": "...", "value"?, "comment"?}`. */
export const approveSignal = defineSignal<[{ step_id: string; value?: unknown; comment?: string }]>('approve');
export const rejectSignal = defineSignal<[{ step_id: string; reason?: string }]>('reject');

/** How a run ended: its full final state is on its row (and in the `state` query). */
export interface RunResult {
  status: RunStatus;
  error: string | null;
}

export function runWorkflowId(runId: string): string {
  return `run-${runId}`;
}

/**
 * The child workflow of a step (and of a map's item): `run-<runId>-<stepId>[-<index>]`, then
 * `-a<attempt>` for a step's further attempts and `-r<generation>` inside a retried run.
 */
export function stepWorkflowId(
  runId: string,
  stepId: string,
  index: number | null,
  attempt: number,
  generation = 0,
): string {
  const item = index === null ? '' : `-${index}`;
  return `run-${runId}-${stepId}${item}${attempt > 1 ? `-a${attempt}` : ''}${generation > 0 ? `-r${generation}` : ''}`;
}

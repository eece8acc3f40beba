import type { Config } from '../config/config';
import { isAssetId } from '../db/ids';
import type { RunRow } from '../db/tables/run.table';
import type { RunState, RunStatus, StepState } from '../workflows/runs/run-contract';
import type { StepSpec } from '../workflows/runs/spec';
import { signedAssetUrl } from './signed-url';

/** The run object of the API (`object: "workflow.run"`). */
export interface RunObject {
  id: string;
  object: 'workflow.run';
  status: RunStatus;
  template: string | null;
  created_at: number;
  finished_at: number | null;
  error: string | null;
  inputs: Record<string, unknown>;
  steps: (Omit<StepState, 'started_at' | 'finished_at'> & { started_at: number | null; finished_at: number | null })[];
}

export const FINAL_RUN_STATUSES: readonly RunStatus[] = ['DONE', 'FAILED', 'CANCELED'];

const seconds = (iso: string | null) => (iso ? Math.floor(Date.parse(iso) / 1000) : null);

/**
 * The state of a run that has no live one to ask: its final state once it ended, else every step
 * PENDING (a run whose workflow is not there: it could not be started).
 */
export function storedState(row: RunRow): RunState {
  if (row.state) return row.state as unknown as RunState;
  const steps = (row.spec.steps as StepSpec[]).map((s): StepState => ({
    step_id: s.id,
    title: s.title ?? null,
    kind: s.kind,
    type: s.type ?? null,
    status: 'PENDING',
    started_at: null,
    finished_at: null,
    output: null,
    error: null,
  }));
  const error = row.status === 'FAILED' ? 'The run could not be started; submit it again.' : null;
  return { status: row.status as RunStatus, steps, error, finished_at: row.finished_at?.toISOString() ?? null };
}

/** The run as the API shows it: unix times, and a signed link on every asset in the steps' outputs. */
export function runView(config: Pick<Config, 'api'>, row: RunRow, state: RunState): RunObject {
  const sign = (value: unknown): unknown => signAssets(config, value);
  return {
    id: row.id,
    object: 'workflow.run',
    status: state.status,
    template: row.template,
    created_at: Math.floor(row.created_at.getTime() / 1000),
    finished_at: seconds(state.finished_at),
    error: state.error,
    inputs: row.inputs,
    steps: state.steps.map((step) => ({
      ...step,
      started_at: seconds(step.started_at),
      finished_at: seconds(step.finished_at),
      output: sign(step.output),
      ...(step.gate && { gate: { ...step.gate, show: sign(step.gate.show) } }),
    })),
  };
}

/** `value` with each asset's `url` replaced by a signed link that works without a key for a while. */
function signAssets(config: Pick<Config, 'api'>, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => signAssets(config, v));
  if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (isAssetId(node.asset_id) && typeof node.url === 'string') {
      return { ...node, url: signedAssetUrl(config, node.asset_id) };
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, signAssets(config, v)]));
  }
  return value;
}

import type { Storage } from '../clients/storage';
import type { Config } from '../config/config';
import type { Db } from '../db/database';
import { setRunStatus } from '../db/repositories/run.repository';
import type { RunState, RunStatus } from '../workflows/runs/run-contract';
import { prepareStep, type PrepareStepInput } from './step-inputs';
import { stepOutput, type StepOutputInput } from './step-outputs';

export interface RunStatusInput {
  runId: string;
  status: RunStatus;
  /** The final state, once the run ended (kept for reading it after Temporal's retention). */
  state?: RunState;
  final: boolean;
}

/** What a workflow run needs around its steps' inference: their inputs, outputs and its row. */
export function createRunActivities(deps: { db: Db; storage: Storage; config: Pick<Config, 'api' | 'dispatch'> }) {
  return {
    prepareStep: (input: PrepareStepInput) => prepareStep(deps, input),
    stepOutput: (input: StepOutputInput) => stepOutput(deps, input),
    async recordRunStatus(input: RunStatusInput): Promise<void> {
      await setRunStatus(deps.db, input);
    },
  };
}

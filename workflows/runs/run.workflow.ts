import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  condition,
  executeChild,
  isCancellation,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  uuid4,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities/create-activities';
import { inferenceStartOptions } from '../inference-start';
import type { inferenceWorkflow } from '../inference.workflow';
import { dependencies } from './dag';
import { resolve, type Scope } from './references';
import {
  approveSignal,
  decideGateUpdate,
  rejectSignal,
  runStateQuery,
  stepWorkflowId,
  type GateDecision,
  type RunInput,
  type RunResult,
  type RunState,
  type RunStatus,
  type StepState,
  type StepStatus,
} from './run-contract';
import { STEP_DEFAULTS, STEP_TYPES, TRANSFORM_TIMEOUT_MS, type StepSpec } from './spec';

type Platform = ReturnType<typeof createActivities>;

// Writes of the run's row: retried until the database is back.
const records = proxyActivities<Platform>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', maximumInterval: '10s' },
});
// A step's inputs and outputs: a refusal (bad body, no model, not JSON) is final; storage hiccups
// retry. Regular activities, not local ones: a map's items call them from concurrent branches, and
// local activities resolved in another order on replay than when first run (completion order, then
// sequence order) would reorder the commands that follow and fail the replay with a
// nondeterminism error (seen on a recorded 100-item map). The server hands each one straight back
// to this worker (eager activity execution).
const stepIo = proxyActivities<Platform>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', maximumInterval: '10s', maximumAttempts: 10 },
});
const transforms = proxyActivities<Platform>({
  startToCloseTimeout: '1m',
  // An expression that fails fails the same way again; only a crashed evaluator is retried.
  retry: {
    initialInterval: '500ms',
    maximumInterval: '5s',
    maximumAttempts: 3,
    nonRetryableErrorTypes: ['transform_failed'],
  },
});

/** The failure types a run's workflow ends with (the run's row and query say FAILED or CANCELED). */
export const RUN_FAILED = 'run_failed';
export const GATE_REJECTED = 'gate_rejected';

/** The most items one map step may go over. */
export const MAX_MAP_ITEMS = 500;
/** The most the outputs of a run's steps may weigh together, as JSON (they live in its history). */
export const MAX_RUN_OUTPUT_BYTES = 1024 * 1024;

/** A step that failed for a reason of its own (shown as the step's error). */
class StepFailed extends Error {}
/** A gate that was rejected: the run ends CANCELED. */
class GateRejected extends Error {}

/**
 * A workflow run: a deterministic interpreter of its spec. Every step whose inputs are ready runs
 * at once; inference steps and a map's items run as child workflows (the inference workflow of a
 * /v1 call, `run-<runId>-<stepId>[-<index>]`), gates wait for a decision (an Update from the API,
 * or a signal from the Temporal UI; one handler), transforms run JSONata in an activity. The first
 * failure cancels the steps still running and skips the rest; a rejected gate cancels the run.
 * Status and steps are read through the `state` query; the row follows the status and keeps the
 * final state.
 */
export async function runWorkflow(input: RunInput): Promise<RunResult> {
  const run = new Run(input);
  setHandler(runStateQuery, () => run.state());
  setHandler(decideGateUpdate, (decision) => run.decide(decision), {
    validator: (decision) => run.checkDecision(decision),
  });
  const fromOperator = (decision: Omit<GateDecision, 'by' | 'operator'>) => {
    try {
      run.checkDecision({ ...decision, by: 'operator', operator: true });
      run.decide({ ...decision, by: 'operator', operator: true });
    } catch (err) {
      // A signal cannot be refused; the operator sees why in the workflow's log.
      log.warn('gate decision ignored', { stepId: decision.stepId, reason: (err as Error).message });
    }
  };
  setHandler(approveSignal, (s) =>
    fromOperator({ stepId: s.step_id, decision: 'approve', value: s.value, comment: s.comment }),
  );
  setHandler(rejectSignal, (s) => fromOperator({ stepId: s.step_id, decision: 'reject', reason: s.reason }));
  return run.execute();
}

class Run {
  private readonly steps = new Map<string, StepState>();
  private readonly specs = new Map<string, StepSpec>();
  private readonly outputs: Record<string, unknown> = {};
  private readonly decisions = new Map<string, GateDecision>();
  private readonly scopes = new Map<string, CancellationScope>();
  private ending: { status: RunStatus; error: string } | undefined;
  private finishedAt: string | null = null;
  private finalStatus: RunStatus | undefined;
  private recordedStatus: RunStatus = 'RUNNING';
  private statusWrites: Promise<void> = Promise.resolve();

  constructor(private readonly input: RunInput) {
    const seeded = new Map((input.seed ?? []).map((s) => [s.step_id, s]));
    for (const spec of input.spec.steps) {
      this.specs.set(spec.id, spec);
      const seed = seeded.get(spec.id);
      if (seed?.status === 'DONE') {
        this.steps.set(spec.id, seed);
        this.outputs[spec.id] = seed.output;
        continue;
      }
      this.steps.set(spec.id, {
        step_id: spec.id,
        title: spec.title ?? null,
        kind: spec.kind,
        type: spec.type ?? null,
        status: 'PENDING',
        started_at: null,
        finished_at: null,
        output: null,
        error: null,
      });
    }
  }

  state(): RunState {
    return {
      status: this.status(),
      steps: [...this.steps.values()],
      error: this.ending?.error ?? null,
      finished_at: this.finishedAt,
    };
  }

  private status(): RunStatus {
    if (this.finalStatus) return this.finalStatus;
    return [...this.steps.values()].some((s) => s.status === 'AWAITING') ? 'AWAITING' : 'RUNNING';
  }

  /** The Update's validator (and the signals' check): a decision only for a gate that waits, by someone it allows. */
  checkDecision(d: GateDecision): void {
    const step = this.steps.get(d.stepId);
    const spec = this.specs.get(d.stepId);
    if (!step || !spec || spec.kind !== 'gate') throw new Error(`There is no gate '${d.stepId}' in this run.`);
    if (step.status !== 'AWAITING' || this.decisions.has(d.stepId)) {
      throw new Error(`Gate '${d.stepId}' is ${step.status}, not waiting for a decision.`);
    }
    if (!d.operator && d.by !== this.input.memberName && !(spec.approvers ?? []).includes(d.by)) {
      throw new Error(`${d.by} may not decide gate '${d.stepId}'.`);
    }
  }

  decide(d: GateDecision): StepState {
    const step = this.steps.get(d.stepId) as StepState;
    this.decisions.set(d.stepId, d);
    step.gate = {
      ...(step.gate ?? { show: null, approvers: [] }),
      decision: d.decision === 'approve' ? 'approved' : 'rejected',
      decided_by: d.by,
      ...(d.comment !== undefined && { comment: d.comment }),
      ...(d.reason !== undefined && { reason: d.reason }),
      ...(d.decision === 'approve' && { edited: d.value !== undefined }),
    };
    return step;
  }

  async execute(): Promise<RunResult> {
    const root = CancellationScope.current();
    try {
      await this.schedule();
    } catch (err) {
      if (!isCancellation(err)) throw err;
    }
    if (root.consideredCancelled && !this.ending) this.ending = { status: 'CANCELED', error: 'The run was canceled.' };
    for (const step of this.steps.values()) {
      if (step.status === 'PENDING') step.status = 'SKIPPED';
    }
    this.finalStatus = this.ending?.status ?? 'DONE';
    this.finishedAt = new Date().toISOString();
    await CancellationScope.nonCancellable(async () => {
      await this.statusWrites;
      await records.recordRunStatus({
        runId: this.input.runId,
        status: this.finalStatus as RunStatus,
        state: this.state(),
        final: true,
      });
    });
    // The Temporal UI shows how the run ended: Completed, Failed (a step failed, or a gate was
    // rejected: the error says which), or Canceled; a FAILED run may start again under its id (retry).
    if (root.consideredCancelled) throw new CancelledFailure(this.ending?.error ?? 'canceled');
    if (this.ending) {
      throw ApplicationFailure.create({
        type: this.ending.status === 'FAILED' ? RUN_FAILED : GATE_REJECTED,
        message: this.ending.error,
        nonRetryable: true,
      });
    }
    return { status: this.finalStatus, error: null };
  }

  /** Starts every step whose dependencies are done, until none is left to start or run. */
  private async schedule(): Promise<void> {
    const running = new Map<string, Promise<void>>();
    const root = CancellationScope.current();
    for (;;) {
      if (!this.ending && !root.consideredCancelled) {
        for (const spec of this.specs.values()) {
          const step = this.steps.get(spec.id) as StepState;
          if (step.status !== 'PENDING' || running.has(spec.id)) continue;
          const deps = dependencies(spec).map((id) => this.steps.get(id)?.status);
          if (deps.some((s) => s !== 'DONE')) continue;
          running.set(
            spec.id,
            this.runStep(spec).finally(() => running.delete(spec.id)),
          );
        }
      }
      if (running.size === 0) return;
      await Promise.race(running.values());
    }
  }

  /** One step, to its end; never throws: its failure ends the run (and cancels the others). */
  private async runStep(spec: StepSpec): Promise<void> {
    const step = this.steps.get(spec.id) as StepState;
    const scope = new CancellationScope();
    this.scopes.set(spec.id, scope);
    this.mark(step, 'RUNNING');
    try {
      const output = await scope.run(() => this.execStep(spec, step));
      this.outputs[spec.id] = output;
      step.output = output;
      const weight = JSON.stringify(this.outputs).length;
      if (weight > MAX_RUN_OUTPUT_BYTES) {
        throw new StepFailed(
          `The run's outputs together are ${weight} bytes as JSON, more than ${MAX_RUN_OUTPUT_BYTES}.`,
        );
      }
      this.mark(step, 'DONE');
    } catch (err) {
      if (err instanceof GateRejected) {
        this.mark(step, 'CANCELED', err.message);
        this.end('CANCELED', err.message);
      } else if (isCancellation(err)) {
        this.mark(step, 'CANCELED', step.error ?? 'canceled');
      } else {
        const message = messageOf(err);
        this.mark(step, 'FAILED', message);
        this.end('FAILED', `Step '${spec.id}' failed: ${message}`);
      }
    } finally {
      this.scopes.delete(spec.id);
    }
  }

  /** The run ends this way: no new step starts and those still running are canceled. */
  private end(status: RunStatus, error: string): void {
    if (this.ending) return;
    this.ending = { status, error };
    for (const scope of this.scopes.values()) scope.cancel();
  }

  private mark(step: StepState, status: StepStatus, error?: string): void {
    const now = new Date().toISOString();
    if (status === 'RUNNING' && !step.started_at) step.started_at = now;
    if (status === 'DONE' || status === 'FAILED' || status === 'CANCELED') step.finished_at = now;
    step.status = status;
    if (error !== undefined) step.error = error;
    this.noteStatus();
  }

  /** Keeps the row's status (RUNNING or AWAITING) in step with the run, in order. */
  private noteStatus(): void {
    const status = this.status();
    if (this.finalStatus || status === this.recordedStatus) return;
    this.recordedStatus = status;
    const runId = this.input.runId;
    this.statusWrites = this.statusWrites.then(() =>
      CancellationScope.nonCancellable(() => records.recordRunStatus({ runId, status, final: false })),
    );
  }

  private scope(extra?: Pick<Scope, 'item' | 'index'>): Scope {
    return { inputs: this.input.inputs, steps: this.outputs, ...extra };
  }

  private async execStep(spec: StepSpec, step: StepState): Promise<unknown> {
    switch (spec.kind) {
      case 'inference':
        return this.infer(spec, step, resolveOrFail(spec.body ?? {}, this.scope()), null);
      case 'map':
        return this.map(spec, step);
      case 'gate':
        return this.gate(spec, step);
      case 'transform':
        return this.transform(spec);
    }
  }

  /**
   * One inference, as a child workflow, with the step's time limit per attempt and its retries; the
   * step's output is read from the stored answer.
   */
  private async infer(spec: StepSpec, step: StepState, body: unknown, index: number | null): Promise<unknown> {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new StepFailed('The body must be an object.');
    const type = spec.type as NonNullable<StepSpec['type']>;
    const kind = STEP_TYPES[type];
    const defaults = STEP_DEFAULTS[kind];
    const attempts = 1 + (spec.retries ?? defaults.retries);
    const timeoutMs = Math.round((spec.timeout ?? defaults.timeoutSeconds) * 1000);
    const { runId, memberId, memberName, generation } = this.input;
    let lastError = 'no attempt was made';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const requestId = uuid4().replace(/-/g, '');
      // A refusal of the body itself (a bad field, no model online) would refuse every attempt alike.
      const prepared = await stepIo
        .prepareStep({
          runId,
          memberId,
          stepId: spec.id,
          index,
          requestId,
          type,
          body: body as Record<string, unknown>,
          timeoutMs,
        })
        .catch((err: unknown) => {
          throw isCancellation(err) ? err : new StepFailed(messageOf(err));
        });
      step.request_ids = [...(step.request_ids ?? []), requestId];
      try {
        const options = inferenceStartOptions({ kind, requestId, model: prepared.input.model, memberName });
        const output = await executeChild<typeof inferenceWorkflow>('inferenceWorkflow', {
          args: [prepared.input],
          ...options,
          workflowId: stepWorkflowId(runId, spec.id, index, attempt, generation),
          memo: {
            title: `run ${runId} · ${spec.id}${index === null ? '' : ` [${index}]`} · ${kind} ${prepared.input.model}`,
          },
          staticSummary: `${options.staticSummary} · run step ${spec.id}${index === null ? '' : ` [${index}]`}`,
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        });
        return await stepIo.stepOutput({ kind, output, extract: spec.extract, single: prepared.single });
      } catch (err) {
        if (isCancellation(err) && CancellationScope.current().consideredCancelled) throw err;
        lastError = messageOf(err);
        if (attempt < attempts)
          log.info('step attempt failed; trying again', { stepId: spec.id, index, error: lastError });
      }
    }
    throw new StepFailed(attempts > 1 ? `${lastError} (after ${attempts} attempts)` : lastError);
  }

  /** One child per item, at most mapConcurrency at once; the output is the items' outputs in order. */
  private async map(spec: StepSpec, step: StepState): Promise<unknown[]> {
    const list = resolveOrFail(spec.over, this.scope());
    if (!Array.isArray(list)) {
      throw new StepFailed(`over resolved to ${describeValue(list)}, not a list.`);
    }
    if (list.length > MAX_MAP_ITEMS)
      throw new StepFailed(`over has ${list.length} items; a map takes at most ${MAX_MAP_ITEMS}.`);
    const items = list.map(() => ({ status: 'PENDING' as StepStatus, error: null as string | null }));
    step.items = items;
    const outputs: unknown[] = list.map(() => null);
    const errors: { index: number; error: string }[] = [];
    const inner = new CancellationScope();
    let firstFailure: StepFailed | undefined;
    const runItem = async (i: number) => {
      items[i].status = 'RUNNING';
      try {
        const body = resolveOrFail(spec.body ?? {}, this.scope({ item: list[i], index: i }));
        outputs[i] = await this.infer(spec, step, body, i);
        items[i].status = 'DONE';
      } catch (err) {
        if (isCancellation(err)) {
          items[i].status = 'CANCELED';
          return;
        }
        const message = messageOf(err);
        items[i] = { status: 'FAILED', error: message };
        errors.push({ index: i, error: message });
        if (!spec.allow_failures && !firstFailure) {
          firstFailure = new StepFailed(`item ${i}: ${message}`);
          inner.cancel();
        }
      }
    };
    await inner
      .run(async () => {
        const running = new Set<Promise<void>>();
        for (let i = 0; i < list.length; i++) {
          while (running.size >= this.input.mapConcurrency) await Promise.race(running);
          if (inner.consideredCancelled) break;
          const item: Promise<void> = runItem(i).finally(() => running.delete(item));
          running.add(item);
        }
        await Promise.all(running);
      })
      .catch((err: unknown) => {
        if (!isCancellation(err)) throw err;
      });
    for (const item of items) if (item.status === 'PENDING') item.status = 'SKIPPED';
    if (firstFailure) throw firstFailure;
    if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('canceled');
    if (errors.length > 0) step.errors = errors.sort((a, b) => a.index - b.index);
    return outputs;
  }

  /** Waits for a decision; the output is what the gate showed, or the approver's edited value. */
  private async gate(spec: StepSpec, step: StepState): Promise<unknown> {
    const show = resolveOrFail(spec.show, this.scope());
    step.gate = { show, approvers: spec.approvers ?? [] };
    this.mark(step, 'AWAITING');
    await condition(() => this.decisions.has(spec.id));
    const decision = this.decisions.get(spec.id) as GateDecision;
    if (decision.decision === 'reject') {
      const reason = decision.reason ? `: ${decision.reason}` : '';
      throw new GateRejected(`Gate '${spec.id}' was rejected by ${decision.by}${reason}`);
    }
    this.mark(step, 'RUNNING');
    return decision.value !== undefined ? decision.value : show;
  }

  private async transform(spec: StepSpec): Promise<unknown> {
    try {
      return await transforms.runTransform({
        expression: spec.expression as string,
        data: { inputs: this.input.inputs, steps: this.outputs },
        timeoutMs: TRANSFORM_TIMEOUT_MS,
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      throw new StepFailed(messageOf(err));
    }
  }
}

function resolveOrFail(value: unknown, scope: Scope): unknown {
  try {
    return resolve(value, scope);
  } catch (err) {
    throw new StepFailed((err as Error).message);
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `the text "${value.length > 60 ? `${value.slice(0, 57)}...` : value}"`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The message a failure carries, from the innermost cause (the provider's or the activity's own). */
function messageOf(err: unknown): string {
  let current: unknown = err;
  while (current instanceof ChildWorkflowFailure || current instanceof ActivityFailure) {
    if (!current.cause) break;
    current = current.cause;
  }
  if (current instanceof ApplicationFailure || current instanceof Error) return current.message;
  return String(current);
}

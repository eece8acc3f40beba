import jsonata from 'jsonata';
import type { Db } from '../../db/database';
import { memberIdsByName } from '../../db/repositories/run.repository';
import { compileChecker, schemaProblems, type SchemaProblem } from '../../domain/schema-validate';
import { templateOf, TEMPLATES, type Template } from '../../templates';
import { checkSpec } from '../../workflows/runs/dag';
import type { StepSpec, WorkflowSpec } from '../../workflows/runs/spec';
import { badRequest, type Problem } from '../http/api-error';

/** A run request that passed every check: what the run workflow starts with. */
export interface CheckedRun {
  template: string | null;
  spec: WorkflowSpec;
  /** With a template's defaults filled in. */
  inputs: Record<string, unknown>;
}

const inputCheckers = new Map<string, (data: unknown) => SchemaProblem[]>(
  Object.values(TEMPLATES).map((t: Template) => [t.key, compileChecker(t.inputs)]),
);

/**
 * Checks a run request as a whole and refuses it with one 400 listing every problem, each with its
 * step and field: the request's and the spec's shape, the template and its inputs, references to
 * unknown steps or inputs, cycles, maps without a list, gates' approvers that are no members,
 * transforms whose expression does not parse. Nothing starts unless all of it is right.
 */
export async function checkRunRequest(db: Db, raw: Record<string, unknown>): Promise<CheckedRun> {
  const problems: Problem[] = [];
  const rawSteps = (raw.spec as { steps?: unknown } | undefined)?.steps;
  const stepAt = (param: string | null): string | null => {
    const m = param && /^spec\.steps\[(\d+)\]/.exec(param);
    if (!m || !Array.isArray(rawSteps)) return null;
    const id = (rawSteps[Number(m[1])] as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : `#${m[1]}`;
  };
  for (const p of schemaProblems('WorkflowRunRequest', raw)) {
    problems.push({ step: stepAt(p.param), param: p.param, message: p.message });
  }
  const hasTemplate = raw.template !== undefined;
  const hasSpec = raw.spec !== undefined;
  if (hasTemplate === hasSpec) {
    problems.push({
      step: null,
      param: null,
      message: 'Give exactly one of `template` (a key) and `spec` (an inline spec).',
    });
  }
  const inputs = isObject(raw.inputs) ? raw.inputs : {};
  let template: Template | undefined;
  if (typeof raw.template === 'string') {
    template = templateOf(raw.template);
    if (!template) {
      problems.push({
        step: null,
        param: 'template',
        message: `There is no template '${raw.template}'; GET /v1/workflows/templates lists them.`,
      });
    } else {
      for (const p of (inputCheckers.get(template.key) as (data: unknown) => SchemaProblem[])(inputs)) {
        const param = p.param ? `inputs.${p.param}` : 'inputs';
        problems.push({ step: null, param, message: p.message.replace(/^'([^']+)'/, `'inputs.$1'`) });
      }
    }
  }
  const spec = template ? template.spec : tolerantSpec(raw.spec);
  if (spec) {
    const known = template ? Object.keys(template.inputs.properties) : Object.keys(inputs);
    for (const p of checkSpec(spec, known)) {
      const index = spec.steps.findIndex((s) => s.id === p.step);
      problems.push({
        step: p.step,
        param: p.field && index >= 0 ? `spec.steps[${index}].${p.field}` : p.field,
        message: p.message,
      });
    }
    problems.push(...(await approverProblems(db, spec)));
    spec.steps.forEach((step, i) => {
      if (step.kind !== 'transform' || typeof step.expression !== 'string') return;
      try {
        jsonata(step.expression);
      } catch (err) {
        problems.push({
          step: step.id,
          param: `spec.steps[${i}].expression`,
          message: `the expression does not parse: ${(err as Error).message}`,
        });
      }
    });
  }
  if (problems.length > 0) {
    const unique = dedupe(problems);
    const first = unique[0];
    const where = first.step ? `step '${first.step}': ` : '';
    throw badRequest(
      unique.length === 1
        ? `The run was refused: ${where}${first.message}`
        : `The run was refused with ${unique.length} problems (see \`problems\`); the first: ${where}${first.message}`,
      { param: first.param, code: 'invalid_workflow', problems: unique },
    );
  }
  return { template: template?.key ?? null, spec: spec as WorkflowSpec, inputs };
}

/**
 * The spec's steps in a form the reference and cycle checks can read even when the shape check
 * failed (its problems are listed already): steps that are objects with an id, fields of the
 * wrong type left out.
 */
function tolerantSpec(value: unknown): WorkflowSpec | undefined {
  const steps = (value as { steps?: unknown } | undefined)?.steps;
  if (!Array.isArray(steps)) return undefined;
  const kept: StepSpec[] = [];
  for (const raw of steps) {
    if (!isObject(raw) || typeof raw.id !== 'string') continue;
    const step = { ...raw } as Record<string, unknown>;
    if (typeof step.over !== 'string') delete step.over;
    if (typeof step.expression !== 'string') delete step.expression;
    if (!Array.isArray(step.needs) || !step.needs.every((n) => typeof n === 'string')) delete step.needs;
    if (!Array.isArray(step.approvers)) delete step.approvers;
    if (!isObject(step.body)) delete step.body;
    kept.push(step as unknown as StepSpec);
  }
  return { steps: kept };
}

/** A gate's approvers must be members (by name). */
async function approverProblems(db: Db, spec: WorkflowSpec): Promise<Problem[]> {
  const names = [...new Set(spec.steps.flatMap((s) => (s.approvers ?? []).filter((a) => typeof a === 'string')))];
  const known = await memberIdsByName(db, names);
  const problems: Problem[] = [];
  spec.steps.forEach((step, i) => {
    (step.approvers ?? []).forEach((name, j) => {
      if (typeof name === 'string' && !known.has(name)) {
        problems.push({
          step: step.id,
          param: `spec.steps[${i}].approvers[${j}]`,
          message: `there is no member '${name}'`,
        });
      }
    });
    if (step.approvers && step.kind !== 'gate') {
      problems.push({ step: step.id, param: `spec.steps[${i}].approvers`, message: 'only a gate has approvers' });
    }
  });
  return problems;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.step}|${p.param}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

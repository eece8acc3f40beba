/**
 * What the API checks in a spec before anything starts, all of it at once: ids, kinds and types,
 * references to unknown steps or inputs, `{{item}}` outside a map, maps without a list to go over,
 * steps with no way to run, and cycles (named: `a → b → a`). Pure: also used by the run workflow
 * to know what each step waits for.
 */
import { findReferences } from './references';
import type { StepSpec, StepType, WorkflowSpec } from './spec';

/** The step types whose output is text. */
const TEXT_TYPES: ReadonlySet<StepType> = new Set(['chat', 'llm', 'completion', 'transcription', 'stt']);

export interface SpecProblem {
  /** The step's id (or its position when it has none). */
  step: string | null;
  /** The field at fault: `body.messages[0].content`, `over`, `needs[1]`. */
  field: string | null;
  message: string;
}

/** The steps each step waits for: the ones its fields reference, plus `needs`. */
export function dependencies(step: StepSpec): string[] {
  const { refs } = findReferences({ body: step.body, over: step.over, show: step.show });
  const deps = new Set<string>(refs.filter((r) => r.source === 'steps').map((r) => r.name as string));
  for (const need of step.needs ?? []) deps.add(need);
  for (const name of expressionSteps(step.expression)) deps.add(name);
  return [...deps];
}

/**
 * The steps a transform's JSONata expression reads: `steps.plan`, or `` steps.`my-step` `` for an
 * id JSONata would read as a subtraction.
 */
export function expressionSteps(expression: string | undefined): string[] {
  if (!expression) return [];
  const names = new Set<string>();
  for (const m of expression.matchAll(/\$?\bsteps\s*\.\s*(?:`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*))/g)) {
    if (m[0].startsWith('$')) continue;
    names.add(m[1] ?? m[2]);
  }
  return [...names];
}

export function checkSpec(spec: WorkflowSpec, knownInputs: readonly string[] | null): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const add = (step: string | null, field: string | null, message: string) => problems.push({ step, field, message });
  const ids = new Set<string>();
  for (const step of spec.steps) {
    if (ids.has(step.id)) add(step.id, 'id', `the id '${step.id}' is used by another step`);
    ids.add(step.id);
  }
  for (const step of spec.steps) {
    const id = step.id;
    if ((step.kind === 'inference' || step.kind === 'map') && !step.type)
      add(id, 'type', `${article(step.kind)} ${step.kind} step needs a type`);
    if ((step.kind === 'inference' || step.kind === 'map') && !step.body)
      add(id, 'body', `${article(step.kind)} ${step.kind} step needs a body`);
    if (step.kind === 'transform' && !step.expression) add(id, 'expression', 'a transform step needs an expression');
    if (step.kind === 'gate' && step.show === undefined) add(id, 'show', 'a gate needs something to show its approver');
    if (step.kind === 'map') {
      const over = step.over === undefined ? undefined : findReferences(step.over);
      const exact = over && /^\{\{[^{}]*\}\}$/.test((step.over ?? '').trim()) && over.refs.length === 1;
      if (!exact || (over && ['item', 'index'].includes(over.refs[0].source))) {
        add(id, 'over', 'a map needs `over`: exactly one reference to a list, like {{steps.plan.output.titles}}');
      }
    }
    if (step.extract && step.kind !== 'inference' && step.kind !== 'map')
      add(id, 'extract', 'only inference and map steps extract');
    else if (step.extract && step.type && !TEXT_TYPES.has(step.type)) {
      add(
        id,
        'extract',
        `a ${step.type} step's output is not text; only chat, completion and transcription steps extract JSON`,
      );
    }
    if (step.kind === 'transform') {
      for (const name of expressionSteps(step.expression)) {
        if (!ids.has(name)) add(id, 'expression', `the expression reads steps.${name}, but there is no step '${name}'`);
        else if (name === id) add(id, 'expression', 'the expression reads the step itself');
      }
    }
    const fields: Record<string, unknown> = { body: step.body, over: step.over, show: step.show };
    for (const [name, value] of Object.entries(fields)) {
      const { refs, problems: bad } = findReferences(value, name);
      for (const p of bad) add(id, p.at, p.message);
      for (const ref of refs) {
        if (ref.source === 'steps' && !ids.has(ref.name as string))
          add(id, ref.at, `${ref.text} refers to no step '${ref.name}'`);
        if (ref.source === 'steps' && ref.name === id) add(id, ref.at, `${ref.text} refers to the step itself`);
        if (ref.source === 'inputs' && knownInputs && !knownInputs.includes(ref.name as string)) {
          add(id, ref.at, `${ref.text} refers to no input '${ref.name}'`);
        }
        if ((ref.source === 'item' || ref.source === 'index') && !(step.kind === 'map' && name === 'body')) {
          add(id, ref.at, `${ref.text} is only meaningful in a map's body`);
        }
      }
    }
    (step.needs ?? []).forEach((need, i) => {
      if (!ids.has(need)) add(id, `needs[${i}]`, `needs a step '${need}' that does not exist`);
    });
  }
  for (const cycle of cycles(spec))
    add(cycle[0], 'needs', `the steps wait for each other in a cycle: ${cycle.join(' → ')}`);
  return problems;
}

/** Every distinct cycle, each named from its first step around to it again (`a → b → a`). */
export function cycles(spec: WorkflowSpec): string[][] {
  // With duplicate ids (reported on their own), the first step of an id is the one that counts.
  const byId = new Map([...spec.steps].reverse().map((s) => [s.id, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const found: string[][] = [];
  const seen = new Set<string>();
  const visit = (id: string, trail: string[]) => {
    if (state.get(id) === 'done' || !byId.has(id)) return;
    if (state.get(id) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(id)), id];
      const key = [...cycle.slice(0, -1)].sort().join('|');
      if (!seen.has(key)) {
        seen.add(key);
        found.push(cycle);
      }
      return;
    }
    state.set(id, 'visiting');
    for (const dep of dependencies(byId.get(id) as StepSpec)) visit(dep, [...trail, id]);
    state.set(id, 'done');
  };
  for (const step of spec.steps) visit(step.id, []);
  return found;
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

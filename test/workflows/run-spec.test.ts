import { checkSpec, cycles, dependencies, expressionSteps } from '../../workflows/runs/dag';
import { findReferences, parseReference, resolve, UnresolvedReference } from '../../workflows/runs/references';
import type { StepSpec, WorkflowSpec } from '../../workflows/runs/spec';
import { stepWorkflowId } from '../../workflows/runs/run-contract';

describe('references', () => {
  const scope = {
    inputs: { topic: 'tides', count: 3 },
    steps: { plan: { titles: ['a', 'b'] }, frames: [{ url: 'u0' }, { url: 'u1' }] },
  };

  test('parses inputs, step outputs with paths, item and index', () => {
    expect(parseReference('inputs.topic')).toEqual({ source: 'inputs', name: 'topic', path: [] });
    expect(parseReference('steps.frames.output[0].url')).toEqual({ source: 'steps', name: 'frames', path: [0, 'url'] });
    expect(parseReference('item.name')).toEqual({ source: 'item', path: ['name'] });
    expect(parseReference('index')).toEqual({ source: 'index', path: [] });
    expect(parseReference('steps.plan')).toMatch(/not a reference/);
    expect(parseReference('inputs.topic..x')).toMatch(/neither \.key nor \[index\]/);
  });

  test('a string that is exactly one reference keeps the value; inside text it is interpolated', () => {
    expect(resolve('{{steps.plan.output.titles}}', scope)).toEqual(['a', 'b']);
    expect(resolve('{{ inputs.count }}', scope)).toBe(3);
    expect(resolve('About {{inputs.topic}} ({{inputs.count}}): {{steps.plan.output.titles}}', scope)).toBe(
      'About tides (3): ["a","b"]',
    );
    expect(resolve({ image: '{{steps.frames.output[1].url}}', n: 1 }, scope)).toEqual({ image: 'u1', n: 1 });
    expect(resolve('{{item}} #{{index}}', { ...scope, item: 'x', index: 4 })).toBe('x #4');
  });

  test('a reference to nothing throws, naming it', () => {
    expect(() => resolve('{{steps.plan.output.missing}}', scope)).toThrow(UnresolvedReference);
    expect(() => resolve('{{steps.frames.output[5].url}}', scope)).toThrow(/refers to nothing/);
  });

  test('finds every reference with where it is', () => {
    const { refs, problems } = findReferences({ messages: [{ content: '{{inputs.a}} {{bogus}}' }] }, 'body');
    expect(refs.map((r) => [r.at, r.text])).toEqual([['body.messages[0].content', '{{inputs.a}}']]);
    expect(problems).toEqual([{ at: 'body.messages[0].content', message: expect.stringContaining('bogus') }]);
  });
});

describe('the DAG', () => {
  const chat = (id: string, content: string, extra: Partial<StepSpec> = {}): StepSpec => ({
    id,
    kind: 'inference',
    type: 'chat',
    body: { messages: [{ role: 'user', content }] },
    ...extra,
  });

  test('dependencies come from references, needs and a transform’s expression', () => {
    expect(dependencies(chat('b', '{{steps.a.output}} {{inputs.x}}', { needs: ['g'] })).sort()).toEqual(['a', 'g']);
    expect(expressionSteps('$count(steps.plan.titles) + steps.`my-step`.n + $steps.fake')).toEqual(['plan', 'my-step']);
  });

  test('a valid spec has no problems; cycles are named', () => {
    const ok: WorkflowSpec = { steps: [chat('a', 'hi'), chat('b', '{{steps.a.output}}')] };
    expect(checkSpec(ok, [])).toEqual([]);
    const loop: WorkflowSpec = {
      steps: [chat('a', '{{steps.c.output}}'), chat('b', '{{steps.a.output}}'), chat('c', '{{steps.b.output}}')],
    };
    expect(cycles(loop)).toEqual([['a', 'c', 'b', 'a']]);
    expect(checkSpec(loop, []).map((p) => p.message)).toEqual([
      'the steps wait for each other in a cycle: a → c → b → a',
    ]);
  });

  test('maps need one list reference; extract only on text; item only in a map body', () => {
    const problems = checkSpec(
      {
        steps: [
          { id: 'm', kind: 'map', type: 'image', over: 'titles', body: { prompt: '{{item}}' } },
          { id: 'n', kind: 'map', type: 'image', over: '{{item}}', body: { prompt: 'x' } },
          { id: 'x', kind: 'inference', type: 'image', extract: 'json', body: { prompt: '{{index}}' } },
          { id: 't', kind: 'transform', expression: 'steps.nowhere' },
        ],
      },
      [],
    );
    expect(problems.map((p) => [p.step, p.field])).toEqual([
      ['m', 'over'],
      ['n', 'over'],
      ['n', 'over'],
      ['x', 'extract'],
      ['x', 'body.prompt'],
      ['t', 'expression'],
    ]);
  });

  test('child workflow ids name the run, the step, the item, the attempt and the retry', () => {
    expect(stepWorkflowId('r1', 'plan', null, 1)).toBe('run-r1-plan');
    expect(stepWorkflowId('r1', 'images', 3, 2)).toBe('run-r1-images-3-a2');
    expect(stepWorkflowId('r1', 'images', 0, 1, 2)).toBe('run-r1-images-0-r2');
  });
});

/**
 * The curated workflow templates (templates/): each is a valid spec with a valid inputs schema,
 * references only what exists (the run validator's own check); test/runs.e2e.test.ts runs each to DONE.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import jsonata from 'jsonata';
import { findExample } from '../../demo-provider/json-reply';
import { SCHEMAS } from '../../schemas';
import workflowSpecSchema from '../../schemas/workflow-spec.schema.json';
import { TEMPLATES, templateOf, type Template } from '../../templates';
import type { StepSpec } from '../../workflows/runs/spec';
import { checkSpec } from '../../workflows/runs/dag';

/** From the product's docs: the templates and the inputs each requires. */
const REQUIRED: Record<string, string[]> = {
  'illustrated-story': ['topic', 'scenes', 'style'],
  'image-variations': ['subject', 'count', 'vibe'],
  'storyboard-to-video': ['concept', 'shots'],
  'song-and-cover': ['theme', 'genre'],
  'narrated-explainer': ['topic', 'lines'],
};

/** The counted inputs and their limits. */
const LIMITS: Record<string, [string, number]> = {
  'illustrated-story': ['scenes', 12],
  'image-variations': ['count', 16],
  'storyboard-to-video': ['shots', 8],
  'narrated-explainer': ['lines', 20],
};

/** Inputs for a run: every required one, counts at their maximum. */
const SAMPLE_INPUTS: Record<string, Record<string, unknown>> = {
  'illustrated-story': { topic: 'a lighthouse keeper who befriends a whale', scenes: 12, style: 'soft watercolour' },
  'image-variations': { subject: 'a red fox in a snowy forest', count: 16, vibe: 'dreamy pastel morning' },
  'storyboard-to-video': { concept: "a paper boat's journey down a rainy street", shots: 8 },
  'song-and-cover': { theme: 'the first warm evening of spring', genre: 'lo-fi hip hop' },
  'narrated-explainer': { topic: 'how vaccines train the immune system', lines: 20 },
};

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
for (const schema of Object.values(SCHEMAS)) ajv.addSchema(schema);
const specSchemaId = (workflowSpecSchema as { $id: string }).$id;
if (!ajv.getSchema(specSchemaId)) ajv.addSchema(workflowSpecSchema);

/** Compiles an inputs schema strictly (an unknown keyword is a typo) and fills defaults. */
function inputsValidator(template: Template) {
  return new Ajv({ strict: true, allErrors: true, useDefaults: true }).compile(template.inputs);
}

const entries = Object.entries(TEMPLATES) as [string, Template][];

test('exactly the five templates, one file each, under their key', () => {
  expect(Object.keys(TEMPLATES).sort()).toEqual(Object.keys(REQUIRED).sort());
  const files = readdirSync(path.join(__dirname, '..', '..', 'templates')).filter((f) => f.endsWith('.json'));
  expect(files.sort()).toEqual(
    Object.keys(REQUIRED)
      .map((k) => `${k}.json`)
      .sort(),
  );
  for (const [key, template] of entries) {
    expect(template.key).toBe(key);
    expect(templateOf(key)).toBe(template);
    expect(template.title.length).toBeGreaterThan(0);
    expect(template.description.length).toBeGreaterThan(20);
  }
  expect(templateOf('constructor')).toBeUndefined();
});

describe.each(entries)('%s', (key, template) => {
  const steps: StepSpec[] = template.spec.steps;
  const ids = steps.map((s) => s.id);
  const declared = Object.keys(template.inputs.properties);

  test('its spec passes the workflow spec schema', () => {
    const validate = ajv.getSchema(specSchemaId);
    expect(validate?.(template.spec) ? [] : validate?.errors).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    // Plain names, so a transform's JSONata reads `steps.<id>` without backticks.
    for (const id of ids) expect(id).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
  });

  test('its inputs are a JSON Schema with the documented required inputs, limits and defaults', () => {
    const validate = inputsValidator(template);
    expect([...template.inputs.required].sort()).toEqual([...REQUIRED[key]].sort());
    const filled: Record<string, unknown> = { ...SAMPLE_INPUTS[key] };
    expect(validate(filled)).toBe(true);
    for (const [name, schema] of Object.entries(template.inputs.properties)) {
      if (!template.inputs.required.includes(name)) {
        expect(schema).toHaveProperty('default');
        expect(filled[name]).toEqual(schema.default);
      }
    }
    for (const name of template.inputs.required) {
      const missing = { ...SAMPLE_INPUTS[key] };
      delete missing[name];
      expect(validate(missing)).toBe(false);
    }
    expect(validate({ ...SAMPLE_INPUTS[key], unexpected: 1 })).toBe(false);
    const limit = LIMITS[key];
    if (limit) {
      const [name, max] = limit;
      expect(template.inputs.properties[name]).toMatchObject({ type: 'integer', minimum: 1, maximum: max });
      expect(validate({ ...SAMPLE_INPUTS[key], [name]: max + 1 })).toBe(false);
      expect(validate({ ...SAMPLE_INPUTS[key], [name]: 0 })).toBe(false);
      expect(validate({ ...SAMPLE_INPUTS[key], [name]: 1.5 })).toBe(false);
    }
  });

  test('the run validator finds no problem: references, dependencies, maps, no cycle', () => {
    expect(checkSpec(template.spec, declared)).toEqual([]);
  });

  test('each step has what its kind needs; bodies leave the model out', () => {
    for (const step of steps) {
      if (step.kind === 'inference' || step.kind === 'map') {
        expect(step.type).toBeDefined();
        expect(step.body).toBeDefined();
        expect(step.body).not.toHaveProperty('model');
      }
      if (step.kind === 'map') expect(step.over).toMatch(/^\{\{[^{}]+\}\}$/);
      else expect(step.over).toBeUndefined();
      if (step.kind === 'gate') expect(step.show).toMatch(/^\{\{[^{}]+\}\}$/);
      if (step.kind === 'transform') {
        expect(step.body).toBeUndefined();
        expect(() => jsonata(step.expression as string)).not.toThrow();
        for (const [, name] of (step.expression as string).matchAll(/\binputs\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
          expect(declared).toContain(name);
        }
      }
      if (step.extract === 'json') {
        // The prompt says JSON and shows the shape (which the demo provider, too, follows).
        const messages = (step.body as { messages: { role: string; content: string }[] }).messages;
        const prompt = messages[messages.length - 1];
        expect(prompt.role).toBe('user');
        expect(prompt.content).toMatch(/Return JSON/);
        expect(findExample(prompt.content)).not.toBeNull();
      }
    }
  });
});

describe('the list transforms', () => {
  test('the list transforms bound a long answer, accept a bare list and refuse a missing one', async () => {
    const expression = TEMPLATES['narrated-explainer'].spec.steps.find((s) => s.id === 'line_list')
      ?.expression as string;
    const evaluate = (script: unknown, lines: number) =>
      jsonata(expression).evaluate({ inputs: { lines }, steps: { script } });
    expect(await evaluate({ lines: ['a', 'b', 'c'] }, 2)).toEqual(['a', 'b']);
    expect(await evaluate({ lines: ['a'] }, 3)).toEqual(['a']);
    expect(await evaluate(['x', 'y'], 5)).toEqual(['x', 'y']);
    // JSONata throws a plain object, not an Error.
    await expect(evaluate({ other: [] }, 2)).rejects.toMatchObject({ message: expect.stringMatching(/no lines list/) });
  });
});

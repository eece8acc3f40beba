/**
 * The curated workflow templates: one JSON file per template in this folder, `<key>.json`, holding
 * `{ key, title, description, inputs, spec }`:
 *
 * - `inputs` is the JSON Schema (draft-07) of a run's inputs object: what is required, types,
 *   limits, and defaults for the optional ones (filled in when the inputs are validated).
 * - `spec` is a {@link WorkflowSpec} (schemas/workflow-spec.schema.json) whose strings reference
 *   `{{inputs.<name>}}` (only names `inputs` declares), earlier steps' `{{steps.<id>.output...}}`
 *   and, inside a map's body, `{{item}}` / `{{index}}`. Step ids use letters, digits and `_`
 *   only, so a transform's JSONata reads them as plain names (`steps.scene_list`).
 * - Bodies leave `model` out: the run picks, per step, a model of the step's type the member can
 *   reach. Prompts whose answer is parsed (`extract: "json"`) say `Return JSON` and show the shape
 *   (`{"scenes": ["..."]}`): real models follow it, and so does the demo provider, which is how
 *   every template runs to the end on the local stack.
 *
 * The files are imported statically, so they are part of the compiled code (dist/templates/) as
 * much as of the sources. To add a template: add its file and a line below;
 * test/templates/templates.test.ts checks every template against the spec schema and its inputs.
 */
import type { WorkflowSpec } from '../workflows/runs/spec';
import illustratedStory from './illustrated-story.json';
import imageVariations from './image-variations.json';
import storyboardToVideo from './storyboard-to-video.json';
import songAndCover from './song-and-cover.json';
import narratedExplainer from './narrated-explainer.json';

/** A JSON Schema (draft-07) of a template's inputs object. */
export interface InputsSchema {
  $schema?: string;
  type: 'object';
  required: string[];
  properties: Record<string, Record<string, unknown>>;
  additionalProperties?: boolean;
}

export interface Template {
  /** The template's name in the API, and its file's: `templates/<key>.json`. */
  key: string;
  title: string;
  /** One or two sentences for a picker. */
  description: string;
  inputs: InputsSchema;
  spec: WorkflowSpec;
}

export const TEMPLATES = {
  'illustrated-story': illustratedStory as Template,
  'image-variations': imageVariations as Template,
  'storyboard-to-video': storyboardToVideo as Template,
  'song-and-cover': songAndCover as Template,
  'narrated-explainer': narratedExplainer as Template,
} satisfies Record<string, Template>;

export type TemplateKey = keyof typeof TEMPLATES;

/** The template of `key`, or undefined (also for inherited names such as `constructor`). */
export function templateOf(key: string): Template | undefined {
  return Object.hasOwn(TEMPLATES, key) ? TEMPLATES[key as TemplateKey] : undefined;
}

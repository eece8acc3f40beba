import { errors, idempotencyKeyParam, json, pathParam, queryParam } from './openapi-builders';

/** Workflow runs (`/v1/workflows/...`): templates, runs, gate decisions, cancel and retry. */
export function workflowsPaths(): Record<string, unknown> {
  const tags = ['Workflows'];
  const runId = pathParam('id', { type: 'string' }, 'The run id, as the 201 answered it.');
  const stepId = pathParam('step_id', { type: 'string' }, "A gate's step id.");
  return {
    '/v1/workflows/templates': {
      get: {
        tags,
        summary: 'The curated templates, each with its input schema',
        responses: { '200': { description: 'Every template.', content: json('WorkflowTemplateList') }, ...errors(401) },
      },
    },
    '/v1/workflows/templates/{key}': {
      get: {
        tags,
        summary: 'One template, with its spec',
        parameters: [pathParam('key', { type: 'string' })],
        responses: { '200': { description: 'The template.', content: json('WorkflowTemplate') }, ...errors(401, 404) },
      },
    },
    '/v1/workflows/runs': {
      post: {
        tags,
        summary: 'Start a run of a template or of an inline spec',
        description:
          'The request is checked as a whole: a bad spec or bad inputs is one 400 whose `error.problems` lists every problem with its step and field (unknown kinds and types, duplicate ids, references to unknown steps or inputs, cycles, maps without a list, steps with no way to run, unknown approvers, transforms that do not parse). Nothing starts unless all of it is right. Steps without `model` run on a model of their type that you can reach.',
        parameters: [
          idempotencyKeyParam('A retry with the same key and body returns the same run; another body is 422.'),
        ],
        requestBody: { required: true, content: json('WorkflowRunRequest') },
        responses: {
          '201': { description: 'The run, RUNNING, every step PENDING.', content: json('WorkflowRun') },
          ...errors(400, 401, 413, 422, 503),
        },
      },
      get: {
        tags,
        summary: 'Your runs, newest first',
        parameters: [
          queryParam(
            'status',
            { type: 'string', enum: ['RUNNING', 'AWAITING', 'DONE', 'FAILED', 'CANCELED'] },
            false,
            'Only runs in this status.',
          ),
          queryParam('limit', { type: 'integer', minimum: 1, maximum: 100, default: 20 }, false, 'Runs per page.'),
          queryParam(
            'after',
            { type: 'string' },
            false,
            'The page starts after this run: the `last_id` of the page before.',
          ),
        ],
        responses: {
          '200': { description: 'One page of your runs.', content: json('WorkflowRunList') },
          ...errors(400, 401, 503),
        },
      },
    },
    '/v1/workflows/runs/{id}': {
      get: {
        tags,
        summary: 'A run and every step (seen by its owner and its gates’ approvers)',
        parameters: [
          runId,
          queryParam(
            'wait',
            { type: 'number', minimum: 0, maximum: 60 },
            false,
            'Hold the answer until the run leaves RUNNING (a gate waits, or it ended), at most this many seconds.',
          ),
        ],
        responses: { '200': { description: 'The run.', content: json('WorkflowRun') }, ...errors(400, 401, 404, 503) },
      },
    },
    '/v1/workflows/runs/{id}/steps/{step_id}/approve': {
      post: {
        tags,
        summary: 'Approve a waiting gate, optionally replacing its output',
        description:
          'For the run’s owner and the members the gate lists in `approvers`; anyone else gets 404. A gate that is not waiting is 409.',
        parameters: [runId, stepId],
        requestBody: { required: false, content: json('GateApproval') },
        responses: {
          '200': { description: 'The run.', content: json('WorkflowRun') },
          ...errors(400, 401, 404, 409, 503),
        },
      },
    },
    '/v1/workflows/runs/{id}/steps/{step_id}/reject': {
      post: {
        tags,
        summary: 'Reject a waiting gate: the run ends CANCELED',
        parameters: [runId, stepId],
        requestBody: { required: false, content: json('GateRejection') },
        responses: {
          '200': { description: 'The run, CANCELED.', content: json('WorkflowRun') },
          ...errors(400, 401, 404, 409, 503),
        },
      },
    },
    '/v1/workflows/runs/{id}/cancel': {
      post: {
        tags,
        summary: 'Cancel a run: its running steps stop at their agents, the rest are skipped',
        parameters: [runId],
        responses: {
          '200': { description: 'The run, CANCELED.', content: json('WorkflowRun') },
          ...errors(401, 404, 409, 503),
        },
      },
    },
    '/v1/workflows/runs/{id}/retry': {
      post: {
        tags,
        summary: 'Run a FAILED run again: only its failed and not-yet-run steps, keeping every completed output',
        parameters: [runId],
        responses: {
          '202': { description: 'The run, RUNNING again.', content: json('WorkflowRun') },
          ...errors(401, 404, 409, 503),
        },
      },
    },
  };
}

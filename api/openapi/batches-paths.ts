import { errors, idempotencyKeyParam, json, pathParam, queryParam } from './openapi-builders';

/** Batches (`/v1/batches`): inline requests or OpenAI's file-based flow. */
export function batchesPaths(): Record<string, unknown> {
  const batchId = pathParam('id', { type: 'string' }, 'The batch id (`batch_...`).');
  const tags = ['Batches'];
  return {
    '/v1/batches': {
      post: {
        tags,
        summary: 'Submit up to 256 requests as one batch',
        description:
          'Inline `requests` (OpenAI’s batch input lines), or `input_file_id` + `endpoint` + `completion_window` as the SDKs send them. Every bad item is reported at once, by index or line and field; nothing starts unless all are good. Each item becomes a job (`/v1/jobs`).',
        parameters: [
          idempotencyKeyParam('A retry with the same key and body returns the same batch; another body is 422.'),
        ],
        requestBody: { required: true, content: json('BatchRequest') },
        responses: {
          '200': { description: 'The batch, with its jobs.', content: json('Batch') },
          ...errors(400, 401, 404, 413, 422, 503),
        },
      },
      get: {
        tags,
        summary: 'List your batches, newest first',
        parameters: [
          queryParam('limit', { type: 'integer', minimum: 1, maximum: 100, default: 20 }, false, 'Batches per page.'),
          queryParam('after', { type: 'string' }, false, 'The page starts after this batch.'),
        ],
        responses: {
          '200': { description: 'One page of your batches.', content: json('BatchList') },
          ...errors(400, 401, 503),
        },
      },
    },
    '/v1/batches/{id}': {
      get: {
        tags,
        summary: 'A batch: its status, counts and jobs',
        parameters: [batchId],
        responses: { '200': { description: 'The batch.', content: json('Batch') }, ...errors(401, 404, 503) },
      },
    },
    '/v1/batches/{id}/cancel': {
      post: {
        tags,
        summary: 'Cancel a batch: every unfinished job ends CANCELED',
        parameters: [batchId],
        responses: {
          '200': { description: 'The batch, cancelling.', content: json('Batch') },
          ...errors(401, 404, 409, 503),
        },
      },
    },
  };
}

import { errors, json, pathParam, queryParam } from './openapi-builders';

/** Async jobs (`/v1/jobs`): what `"async": true` and batches create. */
export function jobsPaths(): Record<string, unknown> {
  const jobId = pathParam('id', { type: 'string' }, 'The job id, as the 202 answered it.');
  const tags = ['Jobs'];
  return {
    '/v1/jobs': {
      get: {
        tags,
        summary: 'List your async jobs, newest first',
        parameters: [
          queryParam(
            'status',
            { type: 'string', enum: ['QUEUED', 'PROCESSING', 'PROCESSED', 'FAILED', 'CANCELED'] },
            false,
            'Only jobs in this status.',
          ),
          queryParam(
            'active',
            { type: 'string', enum: ['1', '0', 'true', 'false'] },
            false,
            'Only QUEUED or PROCESSING jobs.',
          ),
          queryParam('limit', { type: 'integer', minimum: 1, maximum: 100, default: 20 }, false, 'Jobs per page.'),
          queryParam(
            'after',
            { type: 'string' },
            false,
            'The page starts after this job: the `last_id` of the page before.',
          ),
        ],
        responses: {
          '200': { description: 'One page of your jobs.', content: json('JobList') },
          ...errors(400, 401, 503),
        },
      },
    },
    '/v1/jobs/{id}': {
      get: {
        tags,
        summary: 'A job: its status, and its result once PROCESSED',
        parameters: [jobId],
        responses: { '200': { description: 'The job.', content: json('Job') }, ...errors(401, 404, 503) },
      },
    },
    '/v1/jobs/{id}/cancel': {
      post: {
        tags,
        summary: 'Cancel a QUEUED or PROCESSING job (its agent stops the work)',
        parameters: [jobId],
        responses: {
          '200': { description: 'The job, CANCELED.', content: json('Job') },
          ...errors(401, 404, 409, 503),
        },
      },
    },
    '/v1/jobs/{id}/retry': {
      post: {
        tags,
        summary: 'Run a FAILED or CANCELED job again, under the same id',
        parameters: [jobId],
        responses: {
          '202': { description: 'The job, QUEUED again.', content: json('Job') },
          ...errors(401, 404, 409, 503),
        },
      },
    },
  };
}

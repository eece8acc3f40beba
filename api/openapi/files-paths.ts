import { binary, errors, json, multipart, pathParam, queryParam } from './openapi-builders';

/** The Files API (`/v1/files`), as OpenAI's SDKs call it: the inputs and outputs of batches. */
export function filesPaths(): Record<string, unknown> {
  const fileId = pathParam('file_id', { type: 'string' }, 'A file id (`file-...`), as uploads answer it.');
  const tags = ['Files'];
  return {
    '/v1/files': {
      get: {
        tags,
        summary: 'List your files, newest first',
        parameters: [
          queryParam(
            'purpose',
            { type: 'string', enum: ['batch', 'batch_output', 'user_data'] },
            false,
            'Only files of this purpose.',
          ),
          queryParam('limit', { type: 'integer', minimum: 1, maximum: 100, default: 20 }, false, 'Files per page.'),
          queryParam(
            'after',
            { type: 'string' },
            false,
            'The page starts after this file: the `last_id` of the page before.',
          ),
          queryParam('order', { type: 'string', enum: ['asc', 'desc'], default: 'desc' }, false, 'By creation time.'),
        ],
        responses: {
          '200': { description: 'One page of your files.', content: json('FileList') },
          ...errors(400, 401, 503),
        },
      },
      post: {
        tags,
        summary: 'Upload a file',
        description:
          'multipart/form-data: `file` and `purpose`. Up to 25 MB. A `batch` file is checked line by line before it is stored; every bad line (with its number and field, the first 50 in detail) comes in one 400 with `param: "file"`. `expires_after` is refused: files are kept until deleted.',
        requestBody: multipart('FileUploadFields', { file: binary }, ['file']),
        responses: {
          '200': { description: 'The stored file.', content: json('FileObject') },
          ...errors(400, 401, 413, 503),
        },
      },
    },
    '/v1/files/{file_id}': {
      get: {
        tags,
        summary: 'Retrieve a file',
        parameters: [fileId],
        responses: {
          '200': { description: 'The file.', content: json('FileObject') },
          ...errors(401, 404, 503),
        },
      },
      delete: {
        tags,
        summary: 'Delete a file and its bytes',
        parameters: [fileId],
        responses: {
          '200': { description: 'Deleted.', content: json('FileDeleted') },
          ...errors(401, 404, 503),
        },
      },
    },
    '/v1/files/{file_id}/content': {
      get: {
        tags,
        summary: "A file's bytes",
        parameters: [fileId],
        responses: {
          '200': {
            description: 'The bytes as uploaded (or as a batch wrote them): JSONL for the batch purposes.',
            content: { 'application/jsonl': { schema: binary }, 'application/octet-stream': { schema: binary } },
          },
          ...errors(401, 404, 503),
        },
      },
    },
  };
}

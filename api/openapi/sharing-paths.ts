import { errors, json, pathParam, queryParam } from './openapi-builders';

const requestId = pathParam('id', { type: 'string', pattern: '^[0-9a-f]{32}$' }, 'The request id.');
const collectionId = pathParam('id', { type: 'string', pattern: '^col_[A-Za-z0-9_-]{22}$' }, 'The collection id.');
const token = pathParam('token', { type: 'string', pattern: '^[0-9a-f]{64}$' }, 'The token of the share link.');
const visibility = { type: 'string', enum: ['PUBLIC', 'UNLISTED', 'PRIVATE', 'SECRET'] };

/** History, visibility, collections, share links and the account defaults. */
export function sharingPaths(): Record<string, unknown> {
  return {
    '/api/inference/requests/': {
      get: {
        tags: ['History'],
        summary: 'Your history: every request you made, newest first',
        description:
          'Calls, async jobs, batch items and workflow-run steps alike, each with what was asked, what came back (text or assets), its visibility and its share link.',
        parameters: [
          queryParam(
            'kind',
            {
              type: 'string',
              enum: [
                'chat',
                'completion',
                'image',
                'image-edit',
                'transcription',
                'speech',
                'voice',
                'music',
                'video',
                'mesh',
              ],
            },
            false,
            'Only requests of this kind.',
          ),
          queryParam('model', { type: 'string', minLength: 1, maxLength: 256 }, false, 'Only requests to this model.'),
          queryParam('collection', { type: 'string' }, false, 'Only requests in this collection (its id).'),
          queryParam('visibility', visibility, false, 'Only requests with this visibility.'),
          queryParam(
            'status',
            { type: 'string', enum: ['QUEUED', 'PROCESSING', 'PROCESSED', 'FAILED', 'CANCELED'] },
            false,
            'Only requests in this status.',
          ),
          queryParam('limit', { type: 'integer', minimum: 1, maximum: 100, default: 20 }, false, 'Requests per page.'),
          queryParam(
            'after',
            { type: 'string' },
            false,
            'The page starts after this request: `last_id` of the page before.',
          ),
        ],
        responses: { '200': { description: 'One page.', content: json('HistoryList') }, ...errors(400, 401, 503) },
      },
    },
    '/api/inference/requests/{id}/': {
      get: {
        tags: ['History'],
        summary: 'One request of yours (or anyone’s PUBLIC one)',
        parameters: [requestId],
        responses: { '200': { description: 'The request.', content: json('HistoryEntry') }, ...errors(401, 404, 503) },
      },
      patch: {
        tags: ['History'],
        summary: 'Change who may see a request of yours',
        description:
          'Its share link admits whoever the new visibility admits from now on; its collections are unchanged.',
        parameters: [requestId],
        requestBody: { required: true, content: json('RequestPatch') },
        responses: {
          '200': { description: 'The request.', content: json('HistoryEntry') },
          ...errors(400, 401, 404, 413, 415, 503),
        },
      },
      delete: {
        tags: ['History'],
        summary: 'Delete a finished request from your history, with its assets',
        parameters: [requestId],
        responses: {
          '200': { description: 'Deleted.', content: json('RequestDeleted') },
          ...errors(401, 404, 409, 503),
        },
      },
    },
    '/api/inference/shared/requests/{token}/': {
      get: {
        tags: ['Sharing'],
        summary: 'What a request’s share link opens, as JSON',
        description:
          'No key needed for PUBLIC and UNLISTED requests; PRIVATE ones need any member’s key or session; SECRET ones only their owner’s. Anyone else gets the 404 of a link that never existed.',
        parameters: [token],
        responses: { '200': { description: 'The request.', content: json('HistoryEntry') }, ...errors(401, 404, 503) },
      },
    },
    '/api/inference/shared/collections/{token}/': {
      get: {
        tags: ['Sharing'],
        summary: 'What a collection’s share link opens: its items the viewer may see, in order',
        parameters: [token],
        responses: {
          '200': { description: 'The collection.', content: json('CollectionDetail') },
          ...errors(401, 404, 503),
        },
      },
    },
    '/api/inference/shared/members/{name}/': {
      get: {
        tags: ['Sharing'],
        summary: 'A member’s public profile: their PUBLIC requests and collections',
        parameters: [pathParam('name', { type: 'string', minLength: 1, maxLength: 200 })],
        responses: { '200': { description: 'The profile.', content: json('Profile') }, ...errors(401, 404, 503) },
      },
    },
    '/api/inference/collections/': {
      get: {
        tags: ['Collections'],
        summary: 'Your collections, newest first',
        responses: {
          '200': { description: 'Your collections.', content: json('CollectionList') },
          ...errors(401, 503),
        },
      },
      post: {
        tags: ['Collections'],
        summary: 'Get or create a collection by name (case-insensitive)',
        requestBody: { required: true, content: json('CollectionCreate') },
        responses: {
          '200': {
            description: 'The collection of that name you already had, unchanged.',
            content: json('CollectionDetail'),
          },
          '201': { description: 'The new collection.', content: json('CollectionDetail') },
          ...errors(400, 401, 413, 415, 503),
        },
      },
    },
    '/api/inference/collections/{id}/': {
      get: {
        tags: ['Collections'],
        summary: 'A collection of yours with its items in playlist order',
        parameters: [collectionId],
        responses: {
          '200': { description: 'The collection.', content: json('CollectionDetail') },
          ...errors(401, 404, 503),
        },
      },
      patch: {
        tags: ['Collections'],
        summary: 'Rename, change visibility, or reorder a collection',
        parameters: [collectionId],
        requestBody: { required: true, content: json('CollectionPatch') },
        responses: {
          '200': { description: 'The collection.', content: json('CollectionDetail') },
          ...errors(400, 401, 404, 409, 413, 415, 503),
        },
      },
      delete: {
        tags: ['Collections'],
        summary: 'Delete a collection (its requests stay in your history)',
        parameters: [collectionId],
        responses: {
          '200': { description: 'Deleted.', content: json('CollectionDeleted') },
          ...errors(401, 404, 503),
        },
      },
    },
    '/api/inference/collections/{id}/items/': {
      post: {
        tags: ['Collections'],
        summary: 'Append requests of yours to a collection',
        parameters: [collectionId],
        requestBody: { required: true, content: json('CollectionItems') },
        responses: {
          '200': { description: 'The collection.', content: json('CollectionDetail') },
          ...errors(400, 401, 404, 413, 415, 503),
        },
      },
    },
    '/api/inference/collections/{id}/items/{requestId}/': {
      delete: {
        tags: ['Collections'],
        summary: 'Remove a request from a collection (it stays in your history)',
        parameters: [collectionId, pathParam('requestId', { type: 'string', pattern: '^[0-9a-f]{32}$' })],
        responses: {
          '200': { description: 'The collection.', content: json('CollectionDetail') },
          ...errors(401, 404, 503),
        },
      },
    },
    '/api/account/': {
      get: {
        tags: ['Account'],
        summary: 'Your account and its defaults',
        responses: { '200': { description: 'Your account.', content: json('Account') }, ...errors(401, 503) },
      },
      patch: {
        tags: ['Account'],
        summary: 'Set the defaults new requests inherit',
        description:
          '`default_request_visibility` and `default_collection_name` (null: no collection). A request’s own `visibility` and `collection` override them.',
        requestBody: { required: true, content: json('AccountPatch') },
        responses: {
          '200': { description: 'Your account.', content: json('Account') },
          ...errors(400, 401, 413, 415, 503),
        },
      },
    },
  };
}

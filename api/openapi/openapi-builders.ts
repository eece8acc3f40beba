import { SCHEMAS, type SchemaId } from '../../schemas';

/** Small builders for the OpenAPI document, so each path entry reads as what it says. */
export const ref = (id: SchemaId) => ({ $ref: `#/components/schemas/${id}` });
export const json = (id: SchemaId) => ({ 'application/json': { schema: ref(id) } });
export const binary = { type: 'string', format: 'binary' };
export const text = { type: 'string' };

const ERROR_TEXT: Record<number, string> = {
  400: 'A malformed body, or a missing or invalid field (`param` names it).',
  401: 'Missing or invalid API key (`not_authenticated`).',
  403: 'A signed link that was tampered with or has expired (`permission_denied`).',
  404: 'No online provider serves the model for you (`no_provider`), or no such resource (`not_found`).',
  409: 'The job, run, gate or task is in another state (`invalid_state`, `conflict`).',
  422: 'The Idempotency-Key was used with another body (`idempotency_key_reused`).',
  413: 'The body or a file exceeds the 25 MB limit (`request_too_large`).',
  415: 'An uploaded file is not one of the accepted types (`unsupported_media_type`).',
  416: 'The requested byte range is outside the asset (`range_not_satisfiable`).',
  502: "The provider's local server failed or did not answer (`upstream_error`).",
  503: 'A platform dependency is down for now, or this server is shutting down (`service_unavailable`, with `Retry-After`); `async_disabled` for `"async": true` on a server with ASYNC_JOBS=false.',
};

/** Error responses, each in OpenAI's envelope. */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: ERROR_TEXT[s], content: json('Error') }]));

/** The Idempotency-Key header (Stripe's semantics): the same member, key and body give the same result. */
export const idempotencyKeyParam = (description: string) => ({
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
  description,
});

/** A path parameter. */
export const pathParam = (name: string, schema: Record<string, unknown>, description?: string) => ({
  name,
  in: 'path',
  required: true,
  schema,
  ...(description && { description }),
});

export const queryParam = (name: string, schema: Record<string, unknown>, required = false, description?: string) => ({
  name,
  in: 'query',
  required,
  schema,
  ...(description && { description }),
});

/**
 * A multipart body: the validated text fields (their schema's properties, copied so a closed
 * schema does not forbid the file fields) plus the file fields.
 */
export const multipart = (fields: SchemaId, files: Record<string, unknown>, requiredFiles: string[]) => {
  const schema = SCHEMAS[fields] as { properties?: Record<string, unknown>; required?: string[] };
  return {
    required: true,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          description: (SCHEMAS[fields] as { description?: string }).description,
          required: [...(schema.required ?? []), ...requiredFiles],
          properties: { ...rerooted(schema.properties ?? {}), ...files },
        },
      },
    },
  };
};

/** Bare `$ref: "Id"` inside copied properties, pointed at the component. */
function rerooted(node: unknown): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(node).replace(/"\$ref":"([A-Za-z]+)"/g, '"$ref":"#/components/schemas/$1"'),
  ) as Record<string, unknown>;
}

/** Raw bytes in any of `types`. */
export const bytesIn = (types: string[], description: string) => ({
  description,
  content: Object.fromEntries(types.map((t) => [t, { schema: binary }])),
});

/**
 * An SSE stream, described event by event (OpenAPI 3.1 has no `itemSchema` yet; tools read the
 * media type's schema as the schema of each event): `data` is a JSON chunk, `[DONE]` last.
 */
export const eventStream = {
  'text/event-stream': {
    schema: {
      type: 'object',
      required: ['data'],
      properties: {
        data: { type: 'string', description: 'One JSON chunk; the last event is `[DONE]`.' },
        event: { type: 'string' },
        id: { type: 'string' },
        retry: { type: 'integer' },
      },
    },
  },
};

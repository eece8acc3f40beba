import { SCHEMAS, type SchemaId } from '../../schemas';

const ref = (id: SchemaId) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: SchemaId) => ({ 'application/json': { schema: ref(id) } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: ERROR_TEXT[s], content: json('Error') }]));

const ERROR_TEXT: Record<number, string> = {
  400: 'Malformed JSON or a missing or invalid field.',
  401: 'Missing or invalid API key.',
  404: 'No online provider serves the model for you (`no_provider`), or no such resource.',
  409: 'The task is no longer running.',
  413: 'The body exceeds the size limit.',
  502: "The provider's local server failed or did not answer (`upstream_error`).",
  503: '`async_disabled`: async jobs are not enabled on this server.',
};

/** Rewrites the schemas' bare `$ref: "Id"` into component references and drops `$id`. */
function componentSchemas(): Record<string, unknown> {
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$id') continue;
      out[key] =
        key === '$ref' && typeof value === 'string' && !value.startsWith('#')
          ? `#/components/schemas/${value}`
          : rewrite(value);
    }
    return out;
  };
  return Object.fromEntries(Object.entries(SCHEMAS).map(([id, schema]) => [id, rewrite(schema)]));
}

/** The OpenAPI document, built from the same schemas that validate request bodies. */
export function buildOpenApiDocument(serverUrl: string): Record<string, unknown> {
  const inference = (summary: string, id: SchemaId) => ({
    post: {
      summary,
      requestBody: { required: true, content: json(id) },
      responses: {
        '200': {
          description: "The provider's answer, or an SSE stream ending with `data: [DONE]` when `stream: true`.",
        },
        ...errors(400, 401, 404, 413, 502, 503),
      },
    },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'inference.club API',
      version: '1.0.0',
      description: "OpenAI-compatible API in front of members' home GPUs.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    paths: {
      '/v1/models': {
        get: {
          summary: 'List available models',
          responses: {
            '200': {
              description: 'Models of the online providers you may use.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { object: { const: 'list' }, data: { type: 'array', items: ref('Model') } },
                  },
                },
              },
            },
            ...errors(401),
          },
        },
      },
      '/v1/chat/completions': inference('Create a chat completion', 'ChatCompletionRequest'),
      '/v1/completions': inference('Create a completion (legacy)', 'CompletionRequest'),
      '/api/inference/agent/heartbeat/': {
        post: {
          summary: "A provider agent's heartbeat",
          requestBody: { required: true, content: json('AgentHeartbeat') },
          responses: { '200': { description: 'The provider id and heartbeat cadence.' }, ...errors(400, 401) },
        },
      },
      '/api/inference/agent/tasks': {
        get: {
          summary: "Long-poll the provider's next task",
          parameters: [{ name: 'provider_id', in: 'query', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'A task.' },
            '204': { description: 'No task before the poll expired.' },
            ...errors(400, 401, 404),
          },
        },
      },
      '/api/inference/agent/tasks/{token}/complete': {
        post: {
          summary: "Report a task's answer",
          requestBody: { content: json('AgentTaskResult') },
          responses: { '204': { description: 'Recorded.' }, ...errors(400, 404, 409) },
        },
      },
      '/api/inference/agent/tasks/{token}/fail': {
        post: {
          summary: "Report a task's failure",
          requestBody: { content: json('AgentTaskFailure') },
          responses: { '204': { description: 'Recorded.' }, ...errors(400, 404, 409) },
        },
      },
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      schemas: componentSchemas(),
    },
  };
}

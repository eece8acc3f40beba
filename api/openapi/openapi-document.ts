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
  415: 'An uploaded file is not one of the accepted types.',
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
  const media = (summary: string, id: SchemaId, ok: string) => ({
    post: {
      summary,
      requestBody: { required: true, content: json(id) },
      responses: { '200': { description: ok }, ...errors(400, 401, 404, 413, 502, 503) },
    },
  });
  const upload = (summary: string, id: SchemaId, files: string[], ok: string) => ({
    post: {
      summary,
      description: `multipart/form-data: the text fields below plus the file field(s) ${files.map((f) => `\`${f}\``).join(', ')} (25 MB each; the bytes decide the type).`,
      requestBody: { required: true, content: { 'multipart/form-data': { schema: ref(id) } } },
      responses: { '200': { description: ok }, ...errors(400, 401, 404, 413, 415, 502) },
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
      '/v1/images/generations': media(
        'Generate images',
        'ImageGenerationRequest',
        'Asset URLs (and `b64_json` when asked).',
      ),
      '/v1/images/edits': upload(
        'Edit an image',
        'ImageEditFields',
        ['image', 'mask'],
        'Asset URLs (and `b64_json` when asked).',
      ),
      '/v1/audio/transcriptions': upload(
        'Transcribe audio',
        'TranscriptionFields',
        ['file'],
        'The transcript; `usage.seconds` is measured from the audio.',
      ),
      '/v1/audio/speech': media(
        'Synthesize speech',
        'SpeechRequest',
        'Raw audio bytes (WAV by default); `x-asset-url` names the stored copy.',
      ),
      '/v1/voice/generations': media('Dialogue with cloned voices', 'VoiceGenerationRequest', 'Raw WAV audio.'),
      '/v1/music/generations': media('Generate music', 'MusicGenerationRequest', 'Raw audio bytes.'),
      '/v1/videos/generations': media('Generate video', 'VideoGenerationRequest', 'Raw MP4 bytes.'),
      '/v1/3d/generations': media(
        'Generate a 3D mesh',
        'MeshGenerationRequest',
        '`{data: [{url, format}]}` with the mesh asset URL.',
      ),
      '/v1/audio/voices': {
        get: {
          summary: "List a TTS model's voices",
          parameters: [{ name: 'model', in: 'query', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'The voices from the serving agent.' }, ...errors(400, 401, 404) },
        },
      },
      '/api/inference/assets/{id}/': {
        get: {
          summary: 'Fetch a stored output (supports Range)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The bytes.' },
            '206': { description: 'A byte range.' },
            ...errors(401, 404),
          },
        },
      },
      '/api/inference/voice-samples/': {
        get: {
          summary: 'List your voice samples',
          responses: { '200': { description: 'Your voice library.' }, ...errors(401) },
        },
        post: {
          summary: 'Upload a voice sample',
          requestBody: { content: { 'multipart/form-data': { schema: ref('VoiceSampleFields') } } },
          responses: { '201': { description: 'The new sample.' }, ...errors(400, 401, 413, 415) },
        },
      },
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
            '503': {
              description: 'This API server is shutting down (`service_unavailable`); poll again.',
              content: json('Error'),
            },
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

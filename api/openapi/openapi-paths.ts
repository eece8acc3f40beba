import { sharingPaths } from './sharing-paths';
import { accountPaths } from './account-paths';
import { filesPaths } from './files-paths';
import { workflowsPaths } from './workflows-paths';
import { batchesPaths } from './batches-paths';
import { jobsPaths } from './jobs-paths';
import { SCHEMA_LIMITS } from './schema-limits';
import {
  binary,
  bytesIn,
  errors,
  eventStream,
  idempotencyKeyParam,
  json,
  multipart,
  pathParam,
  queryParam,
  ref,
  text,
} from './openapi-builders';
import type { SchemaId } from '../../schemas';

const AUDIO = ['audio/wav', 'audio/ogg', 'audio/mpeg', 'audio/flac', 'audio/aac', 'audio/pcm'];
const INFERENCE_ERRORS = [400, 401, 404, 413, 502, 503];
const OPEN = { security: [] };

const jsonBody = (id: SchemaId) => ({ required: true, content: json(id) });

const generation = (tag: string, summary: string, body: SchemaId, ok: Record<string, unknown>, async = true) => ({
  post: {
    tags: [tag],
    summary,
    requestBody: jsonBody(body),
    ...(async && { parameters: [IDEMPOTENCY_KEY] }),
    responses: {
      '200': ok,
      ...(async && {
        '202': { description: 'With `"async": true`: the job, QUEUED; poll `/v1/jobs/{id}`.', content: json('Job') },
      }),
      ...errors(...INFERENCE_ERRORS, ...(async ? [422] : [])),
    },
  },
});

/** Stripe's semantics: the same member, key and body give the same job, created and run once. */
const IDEMPOTENCY_KEY = idempotencyKeyParam(
  'With `"async": true`: a retry with the same key and body returns the same job; another body is 422.',
);

/** Every route the API serves, with every status it answers and the body of each. */
export function paths(): Record<string, unknown> {
  return {
    '/healthz': {
      get: {
        ...OPEN,
        tags: ['Operations'],
        summary: 'Liveness and readiness',
        responses: {
          '200': { description: 'Serving.', content: { 'application/json': { schema: { type: 'object' } } } },
          '503': {
            description: 'Shutting down: take this instance out of rotation.',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
    '/openapi.json': {
      get: {
        ...OPEN,
        tags: ['Operations'],
        summary: 'This document',
        responses: {
          '200': { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
    '/v1/models': {
      get: {
        tags: ['Models'],
        summary: 'List the models you can reach, with their capabilities',
        responses: {
          '200': { description: 'Models of online providers you may use.', content: json('ModelList') },
          ...errors(401, 503),
        },
      },
    },
    '/v1/models/{model}': {
      get: {
        tags: ['Models'],
        summary: 'Retrieve one model (the SDKs’ models.retrieve)',
        parameters: [pathParam('model', ref('ModelId'), 'The model id (may contain `/` and `:`).')],
        responses: { '200': { description: 'The model.', content: json('Model') }, ...errors(401, 404, 503) },
      },
    },
    '/v1/chat/completions': generation('Chat', 'Create a chat completion', 'ChatCompletionRequest', {
      description: 'The provider’s answer; with `stream: true`, its SSE chunks as they come, ending `data: [DONE]`.',
      content: { ...json('ChatCompletion'), ...eventStream },
    }),
    '/v1/completions': generation('Chat', 'Create a completion (legacy)', 'CompletionRequest', {
      description: 'The provider’s answer, or its SSE chunks with `stream: true`.',
      content: { ...json('Completion'), ...eventStream },
    }),
    '/v1/images/generations': generation('Images', 'Generate images', 'ImageGenerationRequest', {
      description: 'Signed links to the stored images (and `b64_json` when asked).',
      content: json('ImageResponse'),
    }),
    '/v1/images/edits': {
      post: {
        tags: ['Images'],
        summary: 'Edit an image',
        description: `multipart/form-data: \`image\` (png, jpeg or webp; several as \`image[]\`, up to 16), an optional \`mask\`, and the fields below. ${SCHEMA_LIMITS.upload}`,
        requestBody: multipart(
          'ImageEditFields',
          { image: binary, 'image[]': { type: 'array', items: binary }, mask: binary },
          [],
        ),
        responses: {
          '200': { description: 'Signed links to the stored images.', content: json('ImageResponse') },
          ...errors(400, 401, 404, 413, 415, 502, 503),
        },
      },
    },
    '/v1/audio/transcriptions': {
      post: {
        tags: ['Audio'],
        summary: 'Transcribe audio',
        description: `multipart/form-data with an audio \`file\` (wav, mp3, m4a, flac, ogg, webm). ${SCHEMA_LIMITS.upload} \`srt\` and \`vtt\` are built from the model’s segments; \`verbose_json\` on a model without \`timestamps\` gives the plain transcript; \`stream=true\` streams \`transcript.text.delta\` / \`transcript.text.done\` events from models that advertise \`streaming\` (400 otherwise).`,
        requestBody: multipart(
          'TranscriptionFields',
          {
            file: binary,
            'timestamp_granularities[]': { type: 'array', items: { type: 'string', enum: ['word', 'segment'] } },
          },
          ['file'],
        ),
        responses: {
          '200': {
            description: 'The transcript; `usage.seconds` is measured from the audio.',
            content: {
              ...json('Transcription'),
              'text/plain': { schema: text },
              'text/vtt': { schema: text },
              ...eventStream,
            },
          },
          ...errors(400, 401, 404, 413, 415, 502, 503),
        },
      },
    },
    '/v1/audio/speech': generation(
      'Audio',
      'Synthesize speech',
      'SpeechRequest',
      bytesIn(
        AUDIO,
        'The audio (WAV unless `response_format` says otherwise); `x-asset-url` is a signed link to the stored copy.',
      ),
    ),
    '/v1/audio/voices': {
      get: {
        tags: ['Audio'],
        summary: "List a TTS model's voices",
        parameters: [queryParam('model', ref('ModelId'), true, 'A `tts` model id.')],
        responses: {
          '200': { description: 'The voices its agent advertises.', content: json('VoiceList') },
          ...errors(400, 401, 404, 503),
        },
      },
    },
    '/v1/voice/generations': generation(
      'Audio',
      'Dialogue with cloned voices (synchronous only)',
      'VoiceGenerationRequest',
      bytesIn(AUDIO, 'The audio.'),
      false,
    ),
    '/v1/music/generations': generation(
      'Music',
      'Generate music',
      'MusicGenerationRequest',
      bytesIn(AUDIO, 'The audio.'),
    ),
    '/v1/videos/generations': generation(
      'Video',
      'Generate video',
      'VideoGenerationRequest',
      bytesIn(['video/mp4', 'video/webm'], 'The video.'),
    ),
    '/v1/3d/generations': generation('3D', 'Generate a 3D mesh', 'MeshGenerationRequest', {
      description: 'Signed links to the stored mesh.',
      content: json('MeshResponse'),
    }),
    '/api/inference/assets/{id}/': {
      get: {
        tags: ['Assets'],
        summary: 'Fetch a stored output (supports Range)',
        description:
          'With `expires` and `signature` (as handed out in answers) no key is needed until the link expires; without them, only the owner’s key opens it.',
        security: [{ bearerAuth: [] }, {}],
        parameters: [
          pathParam('id', { type: 'string' }),
          queryParam('expires', { type: 'string', pattern: '^[0-9]+$' }),
          queryParam('signature', { type: 'string' }),
          { name: 'range', in: 'header', required: false, schema: { type: 'string' } },
        ],
        responses: {
          '200': { description: 'The bytes, with their type.', content: { '*/*': { schema: binary } } },
          '206': { description: 'A byte range.', content: { '*/*': { schema: binary } } },
          ...errors(401, 403, 404, 416, 503),
        },
      },
    },
    '/api/inference/voice-samples/': {
      get: {
        tags: ['Voice library'],
        summary: 'List your voice samples',
        responses: {
          '200': { description: 'Your voice library.', content: json('VoiceSampleList') },
          ...errors(401, 503),
        },
      },
      post: {
        tags: ['Voice library'],
        summary: 'Upload a voice sample',
        requestBody: multipart('VoiceSampleFields', { file: binary }, ['file']),
        responses: {
          '201': { description: 'The new sample.', content: json('VoiceSample') },
          ...errors(400, 401, 413, 415, 503),
        },
      },
    },
    '/api/inference/voice-samples/{id}/': {
      delete: {
        tags: ['Voice library'],
        summary: 'Delete a voice sample',
        parameters: [pathParam('id', { type: 'integer', minimum: 1 })],
        responses: { '204': { description: 'Deleted.' }, ...errors(401, 404, 503) },
      },
    },
    ...filesPaths(),
    ...jobsPaths(),
    ...batchesPaths(),
    ...workflowsPaths(),
    ...agentPaths(),
    ...accountPaths(),
    ...sharingPaths(),
  };
}

/** The provider agent's side: heartbeats, long-polls and task answers, with the member's key. */
function agentPaths(): Record<string, unknown> {
  const token = pathParam('token', { type: 'string' }, 'The token the task came with.');
  const answered = { '204': { description: 'Recorded.' } };
  return {
    '/api/inference/agent/heartbeat/': {
      post: {
        tags: ['Provider agents'],
        summary: "A provider agent's heartbeat",
        requestBody: jsonBody('AgentHeartbeat'),
        responses: {
          '200': { description: 'The provider id and heartbeat cadence.', content: json('HeartbeatAnswer') },
          ...errors(400, 401, 503),
        },
      },
    },
    '/api/inference/agent/tasks': {
      get: {
        tags: ['Provider agents'],
        summary: "Long-poll the provider's next task",
        parameters: [queryParam('provider_id', { type: 'string', format: 'uuid' }, true)],
        responses: {
          '200': { description: 'A task.', content: json('PolledTask') },
          '204': { description: 'No task before the poll expired.' },
          ...errors(400, 401, 404, 503),
        },
      },
    },
    '/api/inference/agent/tasks/{token}/complete': {
      post: {
        tags: ['Provider agents'],
        summary: "Report a task's answer",
        parameters: [token],
        requestBody: jsonBody('AgentTaskResult'),
        responses: { ...answered, ...errors(400, 401, 404, 409, 413, 503) },
      },
    },
    '/api/inference/agent/tasks/{token}/fail': {
      post: {
        tags: ['Provider agents'],
        summary: "Report a task's failure",
        parameters: [token],
        requestBody: jsonBody('AgentTaskFailure'),
        responses: { ...answered, ...errors(400, 401, 404, 409, 503) },
      },
    },
    '/api/inference/agent/tasks/{token}/heartbeat': {
      post: {
        tags: ['Provider agents'],
        summary: 'Heartbeat a running task; learn whether it was canceled',
        parameters: [token],
        requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
        responses: {
          '200': {
            description: 'Whether the platform no longer wants the answer (stop the local work).',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['cancel_requested'],
                  properties: { cancel_requested: { type: 'boolean' } },
                },
              },
            },
          },
          ...errors(400, 401, 404, 503),
        },
      },
    },
    '/api/inference/agent/tasks/{token}/stream': {
      post: {
        tags: ['Provider agents'],
        summary: "Relay the upstream's SSE body to the waiting client",
        parameters: [token],
        requestBody: { required: true, content: { 'text/event-stream': { schema: text } } },
        responses: {
          '200': {
            description: 'The client received the whole stream.',
            content: {
              'application/json': { schema: { type: 'object', properties: { delivered: { type: 'boolean' } } } },
            },
          },
          '499': {
            description: 'The client left before the end.',
            content: {
              'application/json': { schema: { type: 'object', properties: { delivered: { type: 'boolean' } } } },
            },
          },
          ...errors(400, 401, 404, 409, 503),
        },
      },
    },
  };
}

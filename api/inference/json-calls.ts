import type { SchemaId } from '../../schemas';
import type { BatchEndpoint } from '../../workflows/batch-jsonl';
import type { RequestKind } from '../../workflows/inference-contract';
import { validate } from '../http/validate';
import { requiredChatFeatures } from './required-features';
import type { InferenceCall } from './run-call';

/** Images a single request may ask for; larger `n` is clamped, as OpenAI clamps per model. */
export const MAX_IMAGES = 4;

interface JsonCall {
  kind: RequestKind;
  schema: SchemaId;
  /** The validated body as the provider gets it, what it must return, and what its model needs. */
  shape(body: Record<string, unknown>): Omit<InferenceCall, 'kind' | 'body'> & { body?: Record<string, unknown> };
}

const raw = () => ({ outputs: { count: 1, mode: 'raw' as const } });

/**
 * Every JSON endpoint that may run as an async job, once: its schema and how a validated body
 * becomes an inference call. The routes and batches (whose items are such bodies) both use it.
 */
export const JSON_CALLS: Record<BatchEndpoint, JsonCall> = {
  '/v1/chat/completions': {
    kind: 'chat',
    schema: 'ChatCompletionRequest',
    shape: (body) => ({ requiredFeatures: requiredChatFeatures(body) }),
  },
  '/v1/completions': {
    kind: 'completion',
    schema: 'CompletionRequest',
    shape: (body) => ({ requiredFeatures: requiredChatFeatures(body) }),
  },
  '/v1/images/generations': {
    kind: 'image',
    schema: 'ImageGenerationRequest',
    // The platform stores the images, so it always asks for the bytes; the client's format is applied on the way out.
    shape: (body) => {
      const n = Math.min(typeof body.n === 'number' ? body.n : 1, MAX_IMAGES);
      return { body: { ...body, n, response_format: 'b64_json' }, outputs: { count: n, mode: 'b64_json' } };
    },
  },
  '/v1/audio/speech': { kind: 'speech', schema: 'SpeechRequest', shape: raw },
  '/v1/music/generations': { kind: 'music', schema: 'MusicGenerationRequest', shape: raw },
  '/v1/videos/generations': { kind: 'video', schema: 'VideoGenerationRequest', shape: raw },
  '/v1/3d/generations': { kind: 'mesh', schema: 'MeshGenerationRequest', shape: raw },
};

/**
 * Validates `data` for `endpoint` (a 400 naming the field) and shapes the call; `request` is the
 * body as the client sent it, for what the answer must honour (an image's `response_format`).
 */
export function jsonCall(endpoint: BatchEndpoint, data: unknown): InferenceCall & { request: Record<string, unknown> } {
  const spec = JSON_CALLS[endpoint];
  const request = validate<Record<string, unknown>>(spec.schema, data);
  const shaped = spec.shape(request);
  return { ...shaped, kind: spec.kind, body: shaped.body ?? request, request };
}

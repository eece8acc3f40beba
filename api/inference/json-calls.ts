import { CALL_SHAPES } from '../../domain/call-shapes';
import type { BatchEndpoint } from '../../workflows/batch-jsonl';
import type { RequestKind } from '../../workflows/inference-contract';
import { validate } from '../http/validate';
import type { InferenceCall } from './run-call';

export { MAX_IMAGES } from '../../domain/call-shapes';

/** The JSON endpoints that may run as an async job (and in batches), by path. */
export const JSON_ENDPOINT_KINDS: Record<BatchEndpoint, RequestKind> = {
  '/v1/chat/completions': 'chat',
  '/v1/completions': 'completion',
  '/v1/images/generations': 'image',
  '/v1/audio/speech': 'speech',
  '/v1/music/generations': 'music',
  '/v1/videos/generations': 'video',
  '/v1/3d/generations': 'mesh',
};

/**
 * Validates `data` for `endpoint` (a 400 naming the field) and shapes the call; `request` is the
 * body as the client sent it, for what the answer must honour (an image's `response_format`).
 */
export function jsonCall(endpoint: BatchEndpoint, data: unknown): InferenceCall & { request: Record<string, unknown> } {
  const kind = JSON_ENDPOINT_KINDS[endpoint];
  const shape = CALL_SHAPES[kind];
  const request = validate<Record<string, unknown>>(shape.schema, data);
  return { ...shape.shape(request), kind, request };
}

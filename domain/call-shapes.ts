import type { SchemaId } from '../schemas';
import type { InferenceInput, RequestKind } from '../workflows/inference-contract';

/** Images one request may ask for; larger `n` is clamped, as OpenAI clamps per model. */
export const MAX_IMAGES = 4;

/** A validated body as its inference call: what the provider gets, returns, and must support. */
export interface ShapedCall {
  body: Record<string, unknown>;
  outputs?: InferenceInput['outputs'];
  encoding?: InferenceInput['encoding'];
  requiredFeatures?: string[];
}

export interface CallShape {
  schema: SchemaId;
  /** Multipart endpoints: the body's fields that are files (`image`, `mask`, `file`). */
  files?: string[];
  shape(body: Record<string, unknown>): ShapedCall;
}

/**
 * Which features a chat or completion body needs from its model: a model that lacks one is
 * refused with a 400 naming it, before any provider sees the request.
 */
export function requiredChatFeatures(body: Record<string, unknown>): string[] {
  const features: string[] = [];
  if (body.stream === true) features.push('streaming');
  if ((Array.isArray(body.tools) && body.tools.length > 0) || Array.isArray(body.functions)) features.push('tool-use');
  if (Array.isArray(body.messages) && body.messages.some(hasImagePart)) features.push('vision');
  return features;
}

function hasImagePart(message: unknown): boolean {
  const content = (message as { content?: unknown } | null)?.content;
  return Array.isArray(content) && content.some((part) => (part as { type?: string } | null)?.type === 'image_url');
}

const raw = (body: Record<string, unknown>): ShapedCall => ({ body, outputs: { count: 1, mode: 'raw' } });
const images = (body: Record<string, unknown>): ShapedCall => {
  const n = Math.min(typeof body.n === 'number' ? body.n : 1, MAX_IMAGES);
  // The platform stores the images, so it always asks for the bytes; the client's format is applied on the way out.
  return { body: { ...body, n, response_format: 'b64_json' }, outputs: { count: n, mode: 'b64_json' } };
};

/**
 * Every kind of inference call, once: the schema its body must pass and how a valid body becomes
 * the call. The API's endpoints, batches and workflow-run steps all shape calls through it.
 */
export const CALL_SHAPES: Record<RequestKind, CallShape> = {
  chat: { schema: 'ChatCompletionRequest', shape: (body) => ({ body, requiredFeatures: requiredChatFeatures(body) }) },
  completion: {
    schema: 'CompletionRequest',
    shape: (body) => ({ body, requiredFeatures: requiredChatFeatures(body) }),
  },
  image: { schema: 'ImageGenerationRequest', shape: images },
  'image-edit': {
    schema: 'ImageEditFields',
    files: ['image', 'mask'],
    shape: (body) => ({ ...images(body), encoding: 'multipart' }),
  },
  transcription: {
    schema: 'TranscriptionFields',
    files: ['file'],
    shape: (body) => ({ body: { response_format: 'json', ...body }, encoding: 'multipart' }),
  },
  speech: { schema: 'SpeechRequest', shape: raw },
  voice: {
    schema: 'VoiceGenerationRequest',
    shape: (body) => ({ ...raw(body), requiredFeatures: ['voice-cloning'] }),
  },
  music: { schema: 'MusicGenerationRequest', shape: raw },
  video: { schema: 'VideoGenerationRequest', shape: raw },
  mesh: { schema: 'MeshGenerationRequest', shape: raw },
};

/**
 * Model catalogue of the demo provider, a deterministic test/benchmark fixture standing in for
 * Ollama, vLLM, ComfyUI, Kokoro, Whisper and friends. Shaped like an agent heartbeat entry.
 */
import { DEMO_EPOCH } from './hash';
import { DemoError } from './http';

export type DemoServiceType = 'llm' | 'stt' | 'tts' | 'image' | 'music' | 'video' | 'mesh';

export interface DemoModel {
  id: string;
  service_type: DemoServiceType;
  input_modalities: string[];
  output_modalities: string[];
  supported_features: string[];
  context_length: number | null;
  voices?: { id: string; name: string }[];
}

export const OWNED_BY = 'demo-provider (fixture)';

function model(
  id: string,
  service_type: DemoServiceType,
  io: [string[], string[]],
  supported_features: string[] = [],
  context_length: number | null = null,
): DemoModel {
  return {
    id,
    service_type,
    input_modalities: io[0],
    output_modalities: io[1],
    supported_features,
    context_length,
  };
}

const TEXT_TO_TEXT: [string[], string[]] = [['text'], ['text']];

export const DEMO_MODELS: DemoModel[] = [
  model('demo-chat', 'llm', TEXT_TO_TEXT, ['streaming', 'tool-use'], 8192),
  model('demo-chat-slow', 'llm', TEXT_TO_TEXT, ['streaming', 'tool-use'], 8192),
  model('demo-chat-error', 'llm', TEXT_TO_TEXT, ['streaming'], 8192),
  model('demo-image', 'image', [['text', 'image'], ['image']]),
  model('demo-stt', 'stt', [['audio'], ['text']], ['timestamps', 'streaming']),
  model('demo-stt-basic', 'stt', [['audio'], ['text']]),
  {
    ...model('demo-tts', 'tts', [['text'], ['audio']], ['streaming']),
    voices: [
      { id: 'alloy', name: 'Alloy' },
      { id: 'nova', name: 'Nova' },
    ],
  },
  model('demo-dia', 'tts', [['text', 'audio'], ['audio']], ['voice-cloning']),
  model('demo-music', 'music', [['text'], ['audio']]),
  model('demo-video', 'video', [['text'], ['video']]),
  model('demo-mesh', 'mesh', [['text'], ['3d']]),
];

const BY_ID = new Map(DEMO_MODELS.map((m) => [m.id, m]));

/** The model a request names, or the 400/404 a real server would answer. */
export function resolveModel(id: unknown, serviceType: DemoServiceType): DemoModel {
  if (typeof id !== 'string' || id === '') {
    throw new DemoError(400, 'invalid_request_error', "Missing required field 'model'");
  }
  const found = BY_ID.get(id);
  if (!found) {
    throw new DemoError(404, 'invalid_request_error', `The model '${id}' does not exist`, 'model_not_found');
  }
  if (found.service_type !== serviceType) {
    throw new DemoError(
      400,
      'invalid_request_error',
      `The model '${id}' is a ${found.service_type} model and cannot serve this ${serviceType} endpoint`,
    );
  }
  return found;
}

export function modelList(): unknown {
  return {
    object: 'list',
    data: DEMO_MODELS.map(({ id, ...capabilities }) => ({
      id,
      object: 'model',
      created: DEMO_EPOCH,
      owned_by: OWNED_BY,
      ...capabilities,
    })),
  };
}

import { SERVICE_TYPES } from '../workflows/inference-contract';
import type { AdvertisedModel } from './agent-api';

/** Told about each model left out of the heartbeat, and why. */
export type SkipNotice = (id: string, reason: string) => void;

// The heartbeat schema (schemas/agent-heartbeat.schema.json) bounds these.
const MAX_MODELS = 500;
const MAX_ID_LENGTH = 200;

/**
 * The models a heartbeat may carry, from whatever a /v1/models list or a --models file says:
 * only the fields the platform knows (no object/created/owned_by), in the shapes its schema
 * takes. A service type the platform does not route is skipped rather than passed off as llm.
 */
export function advertisedModels(raw: unknown, onSkip: SkipNotice = () => undefined): AdvertisedModel[] {
  if (!Array.isArray(raw)) throw new Error('a model list must be a JSON array');
  const models: AdvertisedModel[] = [];
  for (const entry of raw as unknown[]) {
    const m = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const id = typeof m.id === 'string' ? m.id : '';
    if (id === '' || id.length > MAX_ID_LENGTH || /[\u0000-\u001f\u007f]/.test(id)) {
      onSkip(String(m.id ?? ''), 'it has no usable id');
      continue;
    }
    if (models.some((known) => known.id === id)) {
      onSkip(id, 'it is listed twice');
      continue;
    }
    const serviceType = m.service_type ?? 'llm';
    if (!(SERVICE_TYPES as readonly unknown[]).includes(serviceType)) {
      onSkip(id, `service type '${String(serviceType)}' is not one the platform serves`);
      continue;
    }
    if (models.length === MAX_MODELS) {
      onSkip(id, `a heartbeat carries at most ${MAX_MODELS} models`);
      continue;
    }
    const model: AdvertisedModel = { id, service_type: serviceType as string };
    for (const key of ['input_modalities', 'output_modalities', 'supported_features'] as const) {
      const list = strings(m[key]);
      if (list) model[key] = list;
    }
    const contextLength = m.context_length;
    if (contextLength === null || (Number.isInteger(contextLength) && (contextLength as number) >= 1)) {
      model.context_length = contextLength as number | null;
    }
    const voices = voicesOf(m.voices);
    if (voices) model.voices = voices;
    models.push(model);
  }
  return models;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

function voicesOf(value: unknown): AdvertisedModel['voices'] {
  if (!Array.isArray(value)) return undefined;
  const voices: NonNullable<AdvertisedModel['voices']> = [];
  for (const v of value as unknown[]) {
    // Some servers list voices as bare names.
    if (typeof v === 'string') voices.push({ id: v });
    else if (typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string') {
      const { id, name } = v as { id: string; name?: unknown };
      voices.push(typeof name === 'string' ? { id, name } : { id });
    }
  }
  return voices;
}

import type { ReachableModel } from '../db/repositories/provider.repository';

/**
 * The model a step that names none runs on: of the models of its type the member can reach, one
 * with every feature the step needs, preferring one that offers the step's voice, then the most
 * capacity online, then by id, so the choice is stable. Undefined when none fits.
 */
export function pickModel(models: ReachableModel[], requiredFeatures: string[], voice?: string): string | undefined {
  return models
    .filter((m) => requiredFeatures.every((f) => m.features.includes(f)))
    .sort(
      (a, b) =>
        Number(voice !== undefined && b.voices.includes(voice)) -
          Number(voice !== undefined && a.voices.includes(voice)) ||
        b.capacity - a.capacity ||
        a.model.localeCompare(b.model),
    )[0]?.model;
}

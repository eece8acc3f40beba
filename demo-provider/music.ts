/** /v1/music/generations of the demo provider (a test fixture): a prompt-seeded melody as WAV. */
import { audioFormat, sendAudio } from './audio-out';
import { resolveModel } from './catalogue';
import type { Exchange } from './http';
import { numberField, readJson, requireString } from './http';
import { MUSIC_RATE, synthMusic } from './synth';

const DEFAULT_SECONDS = 5;
const MAX_SECONDS = 30;

export async function musicGenerations(ex: Exchange): Promise<void> {
  const body = await readJson(ex.req);
  const model = resolveModel(body.model, 'music');
  const prompt = requireString(body, 'prompt');
  const seconds = numberField(body, 'duration', DEFAULT_SECONDS, 0.1, MAX_SECONDS);
  const samples = await synthMusic(`${model.id}\u0000${prompt}`, seconds);
  await sendAudio(ex, audioFormat('wav'), samples, MUSIC_RATE, 2);
}

/**
 * /v1/audio/speech, /v1/audio/voices and /v1/voice/generations (Dia-style cloning) of the demo
 * provider, a deterministic test/benchmark fixture: tones whose pitch follows text and voice.
 */
import { resolveModel } from './catalogue';
import type { DemoModel } from './catalogue';
import { hexHash, sha256 } from './hash';
import type { Exchange } from './http';
import { badRequest, numberField, readJson, sendJson } from './http';
import { audioFormat, requireEncoder, sendAudio } from './audio-out';
import { SPEECH_RATE, synthSpeech } from './synth';

const MAX_INPUT = 4096;
const SAMPLE_FETCH_TIMEOUT_MS = 10_000;

function inputOf(body: Record<string, unknown>): string {
  const input = body.input;
  if (typeof input !== 'string' || input === '') throw badRequest("Missing required field 'input'");
  if (input.length > MAX_INPUT) throw badRequest(`'input' is limited to ${MAX_INPUT} characters`);
  return input;
}

function voiceOf(model: DemoModel, voice: unknown): string {
  if (voice !== undefined && voice !== null && typeof voice !== 'string') throw badRequest("'voice' must be a string");
  if (!model.voices) return voice ?? '';
  // Like Kokoro, fall back to the first voice rather than insisting on one.
  if (voice === undefined || voice === null || voice === '') return model.voices[0].id;
  if (!model.voices.some((v) => v.id === voice)) {
    throw badRequest(`Unknown voice '${voice}' for model '${model.id}'`);
  }
  return voice;
}

export async function speech(ex: Exchange): Promise<void> {
  const body = await readJson(ex.req);
  const model = resolveModel(body.model, 'tts');
  const input = inputOf(body);
  const voice = voiceOf(model, body.voice);
  const speed = numberField(body, 'speed', 1, 0.25, 4);
  const format = audioFormat(body.response_format);
  await requireEncoder(format);
  const samples = synthSpeech(input, `${model.id}/${voice}`, speed);
  await sendAudio(ex, format, samples, SPEECH_RATE, 1, model.supported_features.includes('streaming'));
}

export async function voices(ex: Exchange): Promise<void> {
  const url = new URL(ex.req.url ?? '/', 'http://demo');
  const model = resolveModel(url.searchParams.get('model'), 'tts');
  sendJson(ex.res, 200, { voices: (model.voices ?? []).map((v) => v.id) });
}

async function fetchSample(speaker: string, url: unknown, signal: AbortSignal): Promise<Buffer> {
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
    throw badRequest(`Speaker '${speaker}' needs an http(s) URL of a voice sample`);
  }
  try {
    const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(SAMPLE_FETCH_TIMEOUT_MS)]) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  } catch (err) {
    if (signal.aborted) throw err;
    throw badRequest(`Could not fetch the voice sample of speaker '${speaker}': ${(err as Error).message}`);
  }
}

export async function voiceGenerations(ex: Exchange): Promise<void> {
  const body = await readJson(ex.req);
  const model = resolveModel(body.model, 'tts');
  if (!model.supported_features.includes('voice-cloning')) {
    throw badRequest(`The model '${model.id}' does not support voice cloning`);
  }
  const input = inputOf(body);
  const speakers = body.speakers ?? {};
  if (typeof speakers !== 'object' || speakers === null || Array.isArray(speakers)) {
    throw badRequest("'speakers' must be an object of speaker name to sample URL");
  }
  if (body.seed !== undefined && body.seed !== null && !Number.isInteger(body.seed)) {
    throw badRequest("'seed' must be an integer");
  }
  const format = audioFormat(body.response_format);
  await requireEncoder(format);
  const entries = Object.entries(speakers as Record<string, unknown>)
    // Byte order, not locale order, so the hash is the same on every machine.
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const samples = await Promise.all(entries.map(([name, url]) => fetchSample(name, url, ex.signal)));
  const sampleKeys = entries.map(([name], i) => `${name}:${sha256(samples[i]).toString('hex')}`);
  const voiceKey = hexHash(model.id, String(body.seed ?? 0), ...sampleKeys);
  await sendAudio(ex, format, synthSpeech(input, voiceKey, 1), SPEECH_RATE, 1);
}

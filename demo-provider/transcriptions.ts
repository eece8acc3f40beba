/**
 * /v1/audio/transcriptions of the demo provider (a deterministic test/benchmark fixture): the
 * duration is real for WAV uploads, the words come from a hash of the uploaded bytes.
 */
import { resolveModel } from './catalogue';
import { pickWords, seed32 } from './hash';
import type { Exchange } from './http';
import { badRequest, sendJson } from './http';
import { readMultipart } from './multipart';
import { streamEvents } from './sse';
import { parseWav } from './wav';

const FORMATS = ['json', 'text', 'verbose_json'];
/**
 * Compressed uploads (mp3, ogg, m4a, webm, flac) are not decoded: their duration is estimated
 * from their size at a typical 128 kbit/s, which is all a fixture needs for metering tests.
 */
const COMPRESSED_BYTES_PER_SECOND = 16_000;
const WORDS_PER_SECOND = 2.5;
const WORDS_PER_SEGMENT = 8;

const round = (n: number): number => Math.round(n * 1000) / 1000;

export async function transcriptions(ex: Exchange): Promise<void> {
  const form = await readMultipart(ex.req);
  const model = resolveModel(form.field('model'), 'stt');
  const file = form.file('file');
  if (!file || file.data.length === 0) throw badRequest("Missing required file 'file'");
  const format = form.field('response_format') ?? 'json';
  if (!FORMATS.includes(format)) throw badRequest(`'response_format' must be one of ${FORMATS.join(', ')}`);
  const isWav = file.data.toString('latin1', 0, 4) === 'RIFF';
  const wav = isWav ? parseWav(file.data) : null;
  if (isWav && !wav) throw badRequest('The uploaded WAV file is malformed');
  const duration = round(wav ? wav.durationSeconds : file.data.length / COMPRESSED_BYTES_PER_SECOND);

  const count = Math.min(60, Math.max(3, Math.round(duration * WORDS_PER_SECOND)));
  const words = pickWords(seed32('transcribe', file.data), count);
  words[0] = words[0][0].toUpperCase() + words[0].slice(1);
  words[count - 1] += '.';
  const text = words.join(' ');
  const usage = { type: 'duration', seconds: Math.ceil(duration) };

  if (form.field('stream') === 'true') {
    // OpenAI's streamed transcript: a delta per word, then the whole text with its usage.
    if (!model.supported_features.includes('streaming')) throw badRequest(`'${model.id}' cannot stream`);
    await streamEvents(ex, [
      ...words.map((word, i) => ({
        data: { type: 'transcript.text.delta', delta: i === 0 ? word : ` ${word}` },
        paced: true,
      })),
      { data: { type: 'transcript.text.done', text, usage }, paced: false },
    ]);
    return;
  }

  if (format === 'text') {
    const buf = Buffer.from(text);
    ex.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': buf.length });
    ex.res.end(buf);
    return;
  }
  // Models without "timestamps" downgrade verbose_json, as the platform documents.
  if (format === 'json' || !model.supported_features.includes('timestamps')) {
    sendJson(ex.res, 200, { text, usage });
    return;
  }
  const granularities =
    form.fields.get('timestamp_granularities[]') ?? form.fields.get('timestamp_granularities') ?? [];
  const all = granularities.length === 0;
  const step = duration / count;
  const timed = words.map((word, i) => ({ word, start: round(i * step), end: round(i * step + step * 0.9) }));
  const segments = [];
  for (let i = 0; i < count; i += WORDS_PER_SEGMENT) {
    const slice = timed.slice(i, i + WORDS_PER_SEGMENT);
    segments.push({
      id: segments.length,
      seek: 0,
      start: slice[0].start,
      end: slice[slice.length - 1].end,
      text: ` ${slice.map((w) => w.word).join(' ')}`,
      tokens: [],
      temperature: 0,
      avg_logprob: -0.2,
      compression_ratio: 1.2,
      no_speech_prob: 0.01,
    });
  }
  sendJson(ex.res, 200, {
    task: 'transcribe',
    language: form.field('language') ?? 'english',
    duration,
    text,
    ...(all || granularities.includes('word') ? { words: timed } : {}),
    ...(all || granularities.includes('segment') ? { segments } : {}),
    usage,
  });
}

import { randomUUID } from 'node:crypto';
import { forwardTask, type Forwarded } from '../../agent/forward-task';
import { TaskFailure } from '../../agent/task-failure';
import { storeRawOutput } from '../../agent/task-outputs';
import type { UpstreamMap } from '../../agent/upstream';
import { startDemoProvider, type DemoProvider } from '../../demo-provider/server';
import { encodePng, pngSize } from '../../demo-provider/png';
import { encodeWav } from '../../demo-provider/wav';
import type { AgentTask, ProviderTaskResult, TaskFile } from '../../workflows/agent-protocol';
import { SECRET_QUERY, startFileServer, type FileServer } from './file-server';

let demo: DemoProvider;
let files: FileServer;
let upstreams: UpstreamMap;

beforeAll(async () => {
  [demo, files] = await Promise.all([startDemoProvider(), startFileServer()]);
  upstreams = { default: `${demo.url}/v1` };
  files.files.set('cat.png', await encodePng(16, 12, Buffer.alloc(16 * 12 * 3, 0x80)));
  files.files.set('mask-a.png', await encodePng(16, 12, Buffer.alloc(16 * 12 * 3, 0x00)));
  files.files.set('mask-b.png', await encodePng(16, 12, Buffer.alloc(16 * 12 * 3, 0xff)));
  files.files.set('speech.wav', encodeWav(new Int16Array(16000 * 2), 16000, 1));
  files.files.set(
    'voice.wav',
    encodeWav(
      Int16Array.from({ length: 8000 }, (_, i) => (i % 50) * 100),
      16000,
      1,
    ),
  );
});
afterAll(async () => {
  await Promise.all([demo.close(), files.close()]);
});

function task(
  serviceType: AgentTask['serviceType'],
  endpoint: string,
  body: Record<string, unknown>,
  extra: Partial<AgentTask> = {},
): AgentTask {
  return { requestId: randomUUID(), serviceType, endpoint, body, stream: false, ...extra };
}

function file(field: string, name: string, contentType: string): TaskFile {
  return { field, url: files.url('files', name), filename: name, contentType };
}

/** Unique PUT slots, so tests never read each other's uploads. */
function slots(n: number): { urls: string[]; names: string[] } {
  const names = Array.from({ length: n }, () => randomUUID());
  return { names, urls: names.map((name) => files.url('put', name)) };
}

async function run(t: AgentTask, signal = new AbortController().signal): Promise<ProviderTaskResult> {
  const forwarded: Forwarded = await forwardTask(upstreams, t, signal);
  if (!('result' in forwarded)) throw new Error('expected a finished result');
  return forwarded.result;
}

async function failure(promise: Promise<unknown>): Promise<TaskFailure> {
  const err = await promise.then(
    () => new Error('expected the task to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TaskFailure);
  return err as TaskFailure;
}

function uploaded(name: string): Buffer {
  const put = files.puts.get(name);
  if (!put) throw new Error(`nothing was uploaded to ${name}`);
  expect(put.contentLength).toBe(String(put.body.length));
  return put.body;
}

test('image generation: each b64_json goes to its own slot as PNG, extra images are dropped', async () => {
  const { urls, names } = slots(2);
  const result = await run(
    task(
      'image',
      '/v1/images/generations',
      { model: 'demo-image', prompt: 'a lighthouse', n: 3, size: '32x32' },
      {
        outputs: { urls, mode: 'b64_json' },
      },
    ),
  );
  expect(result.status).toBe(200);
  expect(result.outputs).toEqual([
    { index: 0, content_type: 'image/png', bytes: uploaded(names[0]).length },
    { index: 1, content_type: 'image/png', bytes: uploaded(names[1]).length },
  ]);
  for (const name of names) {
    expect(files.puts.get(name)?.contentType).toBe('image/png');
    expect(pngSize(uploaded(name))).toEqual([32, 32]);
  }
  expect(uploaded(names[0]).equals(uploaded(names[1]))).toBe(false);
  const body = result.body as { created: number; data: Record<string, unknown>[] };
  expect(typeof body.created).toBe('number');
  expect(body.data).toHaveLength(2);
  for (const item of body.data) expect(item).not.toHaveProperty('b64_json');
});

test('image edit: the image and mask go upstream as multipart files with the text fields', async () => {
  const edit = async (mask: string) => {
    const { urls, names } = slots(1);
    const result = await run(
      task(
        'image',
        '/v1/images/edits',
        { model: 'demo-image', prompt: 'add a hat', n: 1, user: null },
        {
          encoding: 'multipart',
          files: [file('image', 'cat.png', 'image/png'), file('mask', mask, 'image/png')],
          outputs: { urls, mode: 'b64_json' },
        },
      ),
    );
    expect(result.outputs).toEqual([{ index: 0, content_type: 'image/png', bytes: uploaded(names[0]).length }]);
    return uploaded(names[0]);
  };
  const [a, b] = [await edit('mask-a.png'), await edit('mask-b.png')];
  // The demo sizes an edit like its input image and seeds it with the mask's bytes.
  expect(pngSize(a)).toEqual([16, 12]);
  expect(a.equals(b)).toBe(false);
});

test('transcription: multipart with timestamp_granularities[] and verbose_json, or plain text', async () => {
  const audio = [file('file', 'speech.wav', 'audio/wav')];
  const verbose = await run(
    task(
      'stt',
      '/v1/audio/transcriptions',
      {
        model: 'demo-stt',
        response_format: 'verbose_json',
        timestamp_granularities: ['word'],
        temperature: 0,
      },
      { encoding: 'multipart', files: audio },
    ),
  );
  const body = verbose.body as { duration: number; words?: unknown[]; segments?: unknown[]; text: string };
  expect(body.duration).toBe(2);
  expect(body.words?.length).toBeGreaterThan(0);
  // Only words were asked for, which shows the repeated array field reached the server.
  expect(body.segments).toBeUndefined();
  expect(verbose.usage).toEqual({ type: 'duration', seconds: 2 });
  expect(verbose.outputs).toBeUndefined();

  const text = await run(
    task(
      'stt',
      '/v1/audio/transcriptions',
      { model: 'demo-stt', response_format: 'text' },
      {
        encoding: 'multipart',
        files: audio,
      },
    ),
  );
  expect(text.body).toBe(body.text);
});

test.each([
  [
    'speech',
    'tts',
    '/v1/audio/speech',
    { model: 'demo-tts', input: 'Hello there.', voice: 'nova' },
    'audio/wav',
    'RIFF',
  ],
  [
    'music',
    'music',
    '/v1/music/generations',
    { model: 'demo-music', prompt: 'calm piano', duration: 1 },
    'audio/wav',
    'RIFF',
  ],
  [
    'video',
    'video',
    '/v1/videos/generations',
    { model: 'demo-video', prompt: 'waves', duration: 0.5 },
    'video/mp4',
    'ftyp',
  ],
  ['mesh', 'mesh', '/v1/3d/generations', { model: 'demo-mesh', prompt: 'a chair' }, 'model/gltf-binary', 'glTF'],
] as const)(
  '%s: the raw response body is uploaded as the one output',
  async (_name, type, endpoint, body, contentType, magic) => {
    const { urls, names } = slots(1);
    const result = await run(task(type, endpoint, { ...body }, { outputs: { urls, mode: 'raw' } }));
    const bytes = uploaded(names[0]);
    expect(result).toEqual({ status: 200, outputs: [{ index: 0, content_type: contentType, bytes: bytes.length }] });
    expect(files.puts.get(names[0])?.contentType).toBe(contentType);
    expect(bytes.toString('latin1', 0, 12)).toContain(magic);
  },
);

test('a raw answer without a meaningful content type is stored as what its bytes are', async () => {
  const { urls, names } = slots(2);
  const wav = files.files.get('speech.wav') as Buffer;
  const signal = new AbortController().signal;
  const octet = new Response(wav, { headers: { 'content-type': 'application/octet-stream' } });
  expect(await storeRawOutput(octet, urls.slice(0, 1), signal)).toEqual([
    { index: 0, content_type: 'audio/wav', bytes: wav.length },
  ]);
  expect(files.puts.get(names[0])?.contentType).toBe('audio/wav');
  const json = new Response('{"url":"x"}', { headers: { 'content-type': 'application/json' } });
  await expect(storeRawOutput(json, urls.slice(1), signal)).rejects.toThrow('answered JSON instead of a file');
  expect(files.puts.has(names[1])).toBe(false);
});

test('voice generation: a JSON task gets each input URL at its dotted path', async () => {
  const body = { model: 'demo-dia', input: '[S1] Hello from a cloned voice.', speakers: {} };
  const { urls, names } = slots(1);
  const before = files.gets.length;
  const result = await run(
    task('tts', '/v1/voice/generations', body, {
      files: [file('speakers.S1', 'voice.wav', 'audio/wav')],
      outputs: { urls, mode: 'raw' },
    }),
  );
  // The demo server fetched the sample itself, through the URL the agent put in the body.
  expect(files.gets.slice(before)).toEqual(['voice.wav']);
  expect(result.outputs).toEqual([{ index: 0, content_type: 'audio/wav', bytes: uploaded(names[0]).length }]);
  expect(body.speakers).toEqual({});
});

test('chat without outputs still answers its JSON body and usage', async () => {
  const result = await run(
    task('llm', '/v1/chat/completions', { model: 'demo-chat', messages: [{ role: 'user', content: 'Hi' }] }),
  );
  expect((result.body as { object: string }).object).toBe('chat.completion');
  expect(result.usage?.total_tokens).toBeGreaterThan(0);
});

test('an upstream 4xx is an upstream_error with its status and message', async () => {
  const err = await failure(
    forwardTask(
      upstreams,
      task('image', '/v1/images/generations', { model: 'no-such-model', prompt: 'x' }),
      new AbortController().signal,
    ),
  );
  expect(err.report()).toEqual({
    type: 'upstream_error',
    status: 404,
    message: "local server answered 404: The model 'no-such-model' does not exist",
  });
});

test('a failing PUT to the platform storage is storage_unavailable naming the output, without the query string', async () => {
  const err = await failure(
    run(
      task(
        'mesh',
        '/v1/3d/generations',
        { model: 'demo-mesh', prompt: 'a lamp' },
        {
          outputs: { urls: [files.url('deny', 'lamp')], mode: 'raw' },
        },
      ),
    ),
  );
  expect(err.type).toBe('storage_unavailable');
  expect(err.message).toMatch(
    /could not upload output 0 at http:\/\/127\.0\.0\.1:\d+\/deny\/lamp: HTTP 403 \(AccessDenied\)/,
  );
  expect(err.message).not.toContain('?');
  expect(err.message).not.toContain('secret');
  expect(err.message).not.toContain(SECRET_QUERY);
});

test('a missing input is storage_unavailable naming the input (the platform failed, not the provider)', async () => {
  const err = await failure(
    run(
      task(
        'stt',
        '/v1/audio/transcriptions',
        { model: 'demo-stt' },
        {
          encoding: 'multipart',
          files: [file('file', 'gone.wav', 'audio/wav')],
        },
      ),
    ),
  );
  expect(err.type).toBe('storage_unavailable');
  expect(err.message).toContain("input 'file' (gone.wav)");
  expect(err.message).toContain('HTTP 404');
  expect(err.message).not.toContain('secret');
});

test('aborting the task mid-upload stops the upload', async () => {
  const name = randomUUID();
  const controller = new AbortController();
  const pending = forwardTask(
    upstreams,
    task(
      'tts',
      '/v1/audio/speech',
      { model: 'demo-tts', input: 'A sentence to upload slowly.' },
      {
        outputs: { urls: [files.url('hang', name)], mode: 'raw' },
      },
    ),
    controller.signal,
  );
  const settled = pending.then(
    () => 'resolved',
    () => 'rejected',
  );
  await waitFor(() => files.hung.get(name)?.received === true);
  controller.abort(new Error('canceled'));
  expect(await settled).toBe('rejected');
  await waitFor(() => files.hung.get(name)?.closed === true);
  await expect(pending).rejects.not.toBeInstanceOf(TaskFailure);
});

test('aborting while the upstream works means nothing is uploaded', async () => {
  const slow = await startDemoProvider({ latencyMs: 2000 });
  try {
    const { urls, names } = slots(1);
    const controller = new AbortController();
    const pending = forwardTask(
      { default: slow.url },
      task('mesh', '/v1/3d/generations', { model: 'demo-mesh', prompt: 'a stool' }, { outputs: { urls, mode: 'raw' } }),
      controller.signal,
    );
    await waitFor(() => slow.stats().inFlight === 1);
    controller.abort(new Error('canceled'));
    await expect(pending).rejects.toThrow('canceled');
    await waitFor(() => slow.stats().aborted === 1);
    expect(files.puts.has(names[0])).toBe(false);
  } finally {
    await slow.close();
  }
});

async function waitFor(check: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

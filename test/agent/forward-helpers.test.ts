import { multipartBody } from '../../agent/multipart-body';
import { sniffContentType } from '../../agent/sniff';
import { withFileUrls } from '../../agent/task-files';
import { TaskFailure } from '../../agent/task-failure';

test('a JSON body becomes form fields the way OpenAI form endpoints read them', async () => {
  const form = multipartBody(
    {
      model: 'whisper',
      temperature: 0,
      stream: false,
      timestamp_granularities: ['word', 'segment'],
      'include[]': ['logprobs'],
      chunking_strategy: { type: 'server_vad' },
      prompt: null,
      language: undefined,
    },
    [{ field: 'file', filename: 'a.wav', contentType: 'audio/wav', data: Buffer.from('RIFF') }],
  );
  expect([...form.keys()]).toEqual([
    'model',
    'temperature',
    'stream',
    'timestamp_granularities[]',
    'timestamp_granularities[]',
    'include[]',
    'chunking_strategy',
    'file',
  ]);
  expect(form.getAll('timestamp_granularities[]')).toEqual(['word', 'segment']);
  expect(form.get('temperature')).toBe('0');
  expect(form.get('stream')).toBe('false');
  expect(form.get('chunking_strategy')).toBe('{"type":"server_vad"}');
  const part = form.get('file') as File;
  expect([part.name, part.type, Buffer.from(await part.arrayBuffer()).toString()]).toEqual([
    'a.wav',
    'audio/wav',
    'RIFF',
  ]);
});

test('file URLs land at their dotted paths in a copy of the body', () => {
  const body = { model: 'dia', speakers: { S2: 'https://old' }, extra: 'x' };
  const file = (field: string) => ({
    field,
    url: `https://bucket/${field}`,
    filename: 'v.wav',
    contentType: 'audio/wav',
  });
  expect(withFileUrls(body, [file('speakers.S1'), file('audio_prompt'), file('a.b.c')])).toEqual({
    model: 'dia',
    speakers: { S1: 'https://bucket/speakers.S1', S2: 'https://old' },
    extra: 'x',
    audio_prompt: 'https://bucket/audio_prompt',
    a: { b: { c: 'https://bucket/a.b.c' } },
  });
  expect(body.speakers).toEqual({ S2: 'https://old' });
  expect(() => withFileUrls(body, [file('__proto__.polluted')])).toThrow(TaskFailure);
});

test.each([
  ['89504e470d0a1a0a0000000d', 'image/png'],
  ['ffd8ffe000104a4649460001', 'image/jpeg'],
  [Buffer.from('RIFF\0\0\0\0WEBPVP8 ').toString('hex'), 'image/webp'],
  [Buffer.from('RIFF\0\0\0\0WAVEfmt ').toString('hex'), 'audio/wav'],
  [Buffer.from('OggS\0\x02\0\0\0\0\0\0').toString('hex'), 'audio/ogg'],
  [Buffer.from('ID3\x04\0\0\0\0\0\0\0\0').toString('hex'), 'audio/mpeg'],
  ['fffb90640000000000000000', 'audio/mpeg'],
  [Buffer.from('\0\0\0\x18ftypmp42').toString('hex'), 'video/mp4'],
  [Buffer.from('glTF\x02\0\0\0\0\0\0\0').toString('hex'), 'model/gltf-binary'],
  ['000102030405060708090a0b', 'application/octet-stream'],
])('%s sniffs as %s', (hex, type) => {
  expect(sniffContentType(Buffer.from(hex, 'hex'))).toBe(type);
});

import { advertisedModels } from '../../agent/advertised-models';
import { discoverModels } from '../../agent/upstream';
import { validate } from '../../api/http/validate';
import { DEMO_MODELS, startDemoProvider } from '../../demo-provider/server';

const HEARTBEAT_FIELDS = [
  'id',
  'service_type',
  'input_modalities',
  'output_modalities',
  'supported_features',
  'context_length',
  'voices',
];

test("discovered models keep their capabilities and nothing the heartbeat schema doesn't know", async () => {
  const demo = await startDemoProvider();
  try {
    const models = await discoverModels(`${demo.url}/v1`);
    expect(models).toEqual(DEMO_MODELS);
    for (const model of models) expect(HEARTBEAT_FIELDS).toEqual(expect.arrayContaining(Object.keys(model)));
    expect(() => validate('AgentHeartbeat', { name: 'rig', shared: false, concurrency: 1, models })).not.toThrow();
  } finally {
    await demo.close();
  }
});

test('entries are cut to shapes the schema takes; unknown service types are skipped, not called llm', () => {
  const skipped: string[] = [];
  const models = advertisedModels(
    [
      { id: 'llama3', object: 'model', created: 1, owned_by: 'ollama' },
      {
        id: 'kokoro',
        service_type: 'tts',
        voices: ['af_bella', { id: 'am_adam', name: 'Adam' }, 7],
        context_length: 0,
      },
      { id: 'bge-m3', service_type: 'embedding' },
      { id: 'whisper', service_type: 'stt', input_modalities: ['audio', 3], context_length: null },
      { object: 'model' },
    ],
    (id) => skipped.push(id),
  );
  expect(models).toEqual([
    { id: 'llama3', service_type: 'llm' },
    { id: 'kokoro', service_type: 'tts', voices: [{ id: 'af_bella' }, { id: 'am_adam', name: 'Adam' }] },
    { id: 'whisper', service_type: 'stt', input_modalities: ['audio'], context_length: null },
  ]);
  expect(skipped).toEqual(['bge-m3', '']);
  expect(() => validate('AgentHeartbeat', { name: 'rig', models })).not.toThrow();
});

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { TestStack, type TestMember } from './support/test-stack';

/** OpenAI's official Python SDK (installed by setup into .tools/venv) against the platform. */
let stack: TestStack;
let alice: TestMember;

beforeAll(async () => {
  stack = await TestStack.start();
  alice = await stack.member('python');
  await stack.agent(alice);
});
afterAll(() => stack.stop());

test('the Python SDK: models.retrieve, None parameters, a signed image URL, streamed transcripts', async () => {
  const root = path.resolve(__dirname, '..');
  const { stdout } = await promisify(execFile)(
    path.join(root, '.tools', 'venv', 'bin', 'python'),
    [path.join(__dirname, 'python', 'openai_sdk_contract.py')],
    { env: { ...process.env, INFERENCE_BASE_URL: `${stack.url}/v1`, INFERENCE_KEY: alice.key }, timeout: 60_000 },
  );
  const out = JSON.parse(stdout) as Record<string, unknown>;
  expect(out).toMatchObject({
    retrieved: { id: 'demo-chat', object: 'model' },
    unknown_model: 404,
    chat: expect.stringContaining('hello from python'),
    image_download: { status: 200, type: 'image/png', bytes: expect.any(Number) },
    stream_refused: { status: 400, param: 'stream' },
    bad_n: { status: 400, param: 'n', type: 'invalid_request_error' },
  });
  const events = out.stream_events as string[];
  expect(events.at(-1)).toBe('transcript.text.done');
  expect(events.filter((e) => e === 'transcript.text.delta').length).toBeGreaterThan(1);
}, 90_000);

test("the quickstart's workflow step, as printed: a template run, the inline spec and its polling loop", async () => {
  const root = path.resolve(__dirname, '..');
  const { stdout } = await promisify(execFile)(
    path.join(root, '.tools', 'venv', 'bin', 'python'),
    [path.join(__dirname, 'python', 'workflow_quickstart.py')],
    { env: { ...process.env, INFERENCE_BASE_URL: stack.url, INFERENCE_KEY: alice.key }, timeout: 90_000 },
  );
  const lines = stdout.trim().split('\n');
  const summary = JSON.parse(lines.at(-1) as string) as {
    inline: {
      status: string;
      steps: Record<string, string>;
      outputs: { plan: { titles: string[] }; images: { url: string }[] };
    };
    template: { status: string; steps: Record<string, string> };
  };
  expect(summary.inline).toMatchObject({ status: 'DONE', steps: { plan: 'DONE', images: 'DONE' } });
  expect(summary.inline.outputs.plan.titles).toHaveLength(4);
  expect(summary.inline.outputs.images).toHaveLength(4);
  expect((await fetch(summary.inline.outputs.images[0].url)).status).toBe(200);
  // "Collect outputs" printed each DONE step.
  expect(lines.some((l) => l.startsWith('plan '))).toBe(true);
  expect(lines.some((l) => l.startsWith('images '))).toBe(true);
  // The template's run stops the loop at its gate.
  expect(summary.template).toMatchObject({ status: 'AWAITING', steps: { approve: 'AWAITING', illustrate: 'PENDING' } });
}, 120_000);

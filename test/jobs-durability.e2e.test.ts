import { startDemoProvider, type DemoProvider } from '../demo-provider/server';
import type { BatchObject } from '../domain/batch-view';
import type { JobObject } from '../domain/job-view';
import { freePort } from '../scripts/services';
import { waitUntil, type Proc } from './support/processes';
import { TestStack } from './support/test-stack';

/**
 * Long work is independent of any process: with async jobs and a batch in flight, the worker, then
 * the API, then the agent are killed with SIGKILL and restarted; every accepted job still ends
 * PROCESSED with its output, and each appears exactly once in the listing.
 */
let stack: TestStack;
let model: DemoProvider;

beforeAll(async () => {
  stack = await TestStack.start({ worker: false });
  model = await startDemoProvider({ latencyMs: 400 });
});
afterAll(async () => {
  await stack.stop();
  await model.close();
});

test('kill -9 of the worker, the API and an agent loses no job', async () => {
  const member = await stack.member('durable');
  let worker: Proc = stack.spawnWorker();
  await waitUntil(() => worker.output().includes('worker polling'), 'the worker to start');
  const port = await freePort();
  let api = await stack.spawnApi(port);
  const url = `http://127.0.0.1:${port}`;
  let agent = await stack.spawnAgent(member, 'durable-rig', model.url, url);
  const headers = { authorization: `Bearer ${member.key}`, 'content-type': 'application/json' };
  const send = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect(res.ok).toBe(true);
    return res.json();
  };

  const jobs: JobObject[] = [];
  for (let i = 0; i < 6; i++) {
    jobs.push(
      (await send('/v1/chat/completions', {
        model: 'demo-chat',
        messages: [{ role: 'user', content: `job ${i}` }],
        async: true,
      })) as JobObject,
    );
  }
  jobs.push(
    (await send('/v1/music/generations', { model: 'demo-music', prompt: 'x', duration: 1, async: true })) as JobObject,
  );
  const batch = (await send('/v1/batches', {
    requests: Array.from({ length: 10 }, (_, i) => ({
      custom_id: `b${i}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'demo-chat', messages: [{ role: 'user', content: `batch ${i}` }] },
    })),
  })) as BatchObject;

  await waitUntil(() => model.stats().requests > 0, 'work to reach the model');
  await worker.kill();
  worker = stack.spawnWorker();
  await api.kill();
  api = await stack.spawnApi(port);
  await agent.kill();
  agent = await stack.spawnAgent(member, 'durable-rig', model.url, url);

  const final = async (id: string) => {
    for (;;) {
      const job = (await (await fetch(`${url}/v1/jobs/${id}`, { headers })).json()) as JobObject;
      if (['PROCESSED', 'FAILED', 'CANCELED'].includes(job.status)) return job;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const ended = await Promise.all(jobs.map((j) => final(j.id)));
  expect(ended.map((j) => j.status)).toEqual(Array(jobs.length).fill('PROCESSED'));
  ended.slice(0, 6).forEach((job, i) => {
    expect(JSON.stringify(job.result)).toContain(`job ${i}`);
  });
  expect((await fetch(ended[6].result_url as string)).status).toBe(200);

  let done: BatchObject;
  for (;;) {
    done = (await (await fetch(`${url}/v1/batches/${batch.id}`, { headers })).json()) as BatchObject;
    if (['completed', 'failed', 'cancelled'].includes(done.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(done).toMatchObject({ status: 'completed', request_counts: { total: 10, completed: 10, failed: 0 } });

  const listed = (await (await fetch(`${url}/v1/jobs?limit=100`, { headers })).json()) as { data: JobObject[] };
  const ids = listed.data.map((j) => j.id);
  expect(ids.length).toBe(17);
  expect(new Set(ids).size).toBe(17);
  expect(listed.data.every((j) => j.status === 'PROCESSED')).toBe(true);
  await worker.kill();
  await api.kill();
  await agent.kill();
}, 180_000);

import type { RunObject } from '../domain/run-view';
import { waitUntil, type Proc } from './support/processes';
import { TestStack } from './support/test-stack';

/**
 * A run waiting at a gate belongs to no process: its worker is killed with SIGKILL, the run is
 * asked about (a prompt 503, Temporal not counted as down), the worker comes back, the gate is
 * approved, and the run finishes DONE with the approved value reaching the next step.
 */
let stack: TestStack;

beforeAll(async () => {
  stack = await TestStack.start({ worker: false });
});
afterAll(() => stack.stop());

test('kill -9 of the worker while a run waits at its gate loses nothing', async () => {
  const member = await stack.member('gatekeeper');
  await stack.agent(member);
  let worker: Proc = stack.spawnWorker();
  await waitUntil(() => worker.output().includes('worker polling'), 'the worker to start');
  const headers = { authorization: `Bearer ${member.key}`, 'content-type': 'application/json' };
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.url}${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });

  const created = (await (
    await api('POST', '/v1/workflows/runs', {
      spec: {
        steps: [
          {
            id: 'draft',
            kind: 'inference',
            type: 'chat',
            body: { messages: [{ role: 'user', content: 'a tagline' }] },
          },
          { id: 'review', kind: 'gate', show: '{{steps.draft.output}}' },
          {
            id: 'final',
            kind: 'inference',
            type: 'chat',
            body: { messages: [{ role: 'user', content: 'Polish: {{steps.review.output}}' }] },
          },
        ],
      },
    })
  ).json()) as RunObject;
  let run: RunObject;
  do {
    run = (await (await api('GET', `/v1/workflows/runs/${created.id}?wait=10`)).json()) as RunObject;
  } while (run.status === 'RUNNING');
  expect(run.status).toBe('AWAITING');

  await worker.kill();
  // Nobody runs the run's workflow now: asking about it is a 503 to retry, and Temporal itself is fine.
  const asked = Date.now();
  const unanswered = await api('GET', `/v1/workflows/runs/${created.id}`);
  expect(unanswered.status).toBe(503);
  expect(unanswered.headers.get('retry-after')).not.toBeNull();
  expect(Date.now() - asked).toBeLessThan(15_000);
  const job = await api('POST', '/v1/chat/completions', {
    model: 'demo-chat',
    messages: [{ role: 'user', content: 'queued while the worker is away' }],
    async: true,
  });
  expect(job.status).toBe(202);

  worker = stack.spawnWorker();
  await waitUntil(() => worker.output().includes('worker polling'), 'the worker to start again');
  const approved = await api('POST', `/v1/workflows/runs/${created.id}/steps/review/approve`, {
    value: 'Edited while the worker was away',
  });
  expect(approved.status).toBe(200);
  do {
    run = (await (await api('GET', `/v1/workflows/runs/${created.id}?wait=10`)).json()) as RunObject;
  } while (run.status === 'RUNNING');
  expect(run.status).toBe('DONE');
  expect(run.steps.find((s) => s.step_id === 'review')?.output).toBe('Edited while the worker was away');
  expect(String(run.steps.find((s) => s.step_id === 'final')?.output)).toContain('Edited while the worker was away');
  await worker.kill();
}, 120_000);

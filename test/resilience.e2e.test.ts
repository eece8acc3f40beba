import { startDemoProvider, type DemoProvider } from '../demo-provider/server';
import { waitUntil } from './support/processes';
import { TestStack, type TestMember } from './support/test-stack';

let stack: TestStack;
let slowDemo: DemoProvider;

beforeAll(async () => {
  stack = await TestStack.start();
  slowDemo = await startDemoProvider({ latencyMs: 1500 });
});
afterAll(async () => {
  try {
    await stack.recordHistories('resilience');
  } finally {
    await stack.stop();
  }
  await slowDemo.close();
});

const ask = (m: TestMember, model = 'demo-chat', content = 'hello') =>
  m.openai.chat.completions.create({ model, messages: [{ role: 'user', content }] }).withResponse();

async function requestRow(requestId: string) {
  return stack.db.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
}

test('an agent killed while idle counts as gone at once: the next request goes to a live provider', async () => {
  const member = await stack.member('failover');
  const survivor = await stack.agent(member, { concurrency: 2 });
  // Occupy the survivor so the doomed agent is the least busy, and would be chosen first.
  const occupy = new AbortController();
  const slow = member.openai.chat.completions
    .create({ model: 'demo-chat-slow', messages: [{ role: 'user', content: 'x' }] }, { signal: occupy.signal })
    .catch(() => undefined);
  await waitUntil(() => survivor.activeTasks === 1, 'survivor to hold the slow task');
  const doomed = await stack.spawnAgent(member, 'doomed');
  await doomed.kill();
  // Its long-polls closed under it: the API marks its provider offline without waiting for heartbeats.
  await waitUntil(async () => !(await providerIsOnline(member.id, 'doomed')), 'the doomed provider to count as gone');

  const started = Date.now();
  const res = await ask(member);
  expect(res.data.choices[0].message.content).toContain('hello');
  const requestId = res.response.headers.get('x-request-id') as string;
  // The answer reaches the client before the workflow records it; wait for the record.
  await stack.temporal.client.workflow.getHandle(`chat-${requestId}`).result();
  expect(await requestRow(requestId)).toMatchObject({ attempts: 1, status: 'PROCESSED', provider_id: survivor.id });
  expect(Date.now() - started).toBeLessThan(5000);
  occupy.abort();
  await slow;
});

test('a provider that looks online but whose agent never polls is failed over once its heartbeat lapses', async () => {
  const own = await TestStack.start({ env: { PROVIDER_ONLINE_SECONDS: '2' } });
  try {
    const member = await own.member('phantom');
    const live = await own.agent(member, { concurrency: 2 });
    const occupy = new AbortController();
    const slow = member.openai.chat.completions
      .create({ model: 'demo-chat-slow', messages: [{ role: 'user', content: 'x' }] }, { signal: occupy.signal })
      .catch(() => undefined);
    await waitUntil(() => live.activeTasks === 1, 'the live agent to hold the slow task');
    // A heartbeat with no agent behind it: idle by the numbers, so it is chosen first.
    const phantom = await fetch(`${own.url}/api/inference/agent/heartbeat/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${member.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'phantom', concurrency: 8, models: [{ id: 'demo-chat', service_type: 'llm' }] }),
    });
    const phantomId = ((await phantom.json()) as { provider_id: string }).provider_id;
    const res = await member.openai.chat.completions
      .create({ model: 'demo-chat', messages: [{ role: 'user', content: 'anyone?' }] })
      .withResponse();
    expect(res.data.choices[0].message.content).toContain('anyone?');
    const requestId = res.response.headers.get('x-request-id') as string;
    await own.temporal.client.workflow.getHandle(`chat-${requestId}`).result();
    const row = await own.db.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ attempts: 2, status: 'PROCESSED', provider_id: live.id });
    expect(row.provider_id).not.toBe(phantomId);
    occupy.abort();
    await slow;
  } finally {
    await own.stop();
  }
});

async function providerIsOnline(memberId: string, name: string): Promise<boolean> {
  const row = await stack.db
    .selectFrom('providers')
    .select(['last_heartbeat_at'])
    .where('member_id', '=', memberId)
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.last_heartbeat_at.getTime() > Date.now() - stack.config.dispatch.onlineSeconds * 1000;
}

test('an agent that dies and comes back leaves no poll behind to steal its next tasks', async () => {
  const member = await stack.member('restart');
  const first = await stack.spawnAgent(member, 'phoenix');
  await first.kill();
  await stack.spawnAgent(member, 'phoenix');

  // The dead process's long-polls must end with its connections: one still waiting in Temporal
  // would take the next task, find nobody to give it to, and hand it back (a failed-over attempt).
  for (const content of ['one', 'two', 'three']) {
    const res = await ask(member, 'demo-chat', content);
    expect(res.data.choices[0].message.content).toContain(content);
    const requestId = res.response.headers.get('x-request-id') as string;
    await stack.temporal.client.workflow.getHandle(`chat-${requestId}`).result();
    expect(await requestRow(requestId)).toMatchObject({ attempts: 1, status: 'PROCESSED' });
  }
});

test('an agent killed mid-task: heartbeats stop, the next provider answers', async () => {
  const member = await stack.member('midtask');
  const doomed = await stack.spawnAgent(member, 'doomed-mid', slowDemo.url);
  const pending = ask(member, 'demo-chat', 'mid-task');
  await waitUntil(() => slowDemo.stats().inFlight === 1, 'the doomed agent to be working on the task');
  await stack.agent(member);
  await doomed.kill();

  const res = await pending;
  expect(res.data.choices[0].message.content).toContain('mid-task');
  const row = await requestRow(res.response.headers.get('x-request-id') as string);
  expect(row.attempts).toBe(2);
});

test('an agent shutting down hands its in-flight task back, and another provider answers', async () => {
  const member = await stack.member('handback');
  const leaving = await stack.agent(member, { upstreams: { default: slowDemo.url }, shutdownGraceMs: 100 });
  const before = slowDemo.stats().requests;
  const pending = ask(member, 'demo-chat', 'hand me back');
  await waitUntil(
    () => slowDemo.stats().requests > before && leaving.activeTasks === 1,
    'the leaving agent to hold the task',
  );
  await stack.agent(member);
  await leaving.stop();

  const res = await pending;
  expect(res.data.choices[0].message.content).toContain('hand me back');
  const row = await requestRow(res.response.headers.get('x-request-id') as string);
  expect(row.attempts).toBe(2);
});

test('a worker killed and restarted mid-request: the request is still answered', async () => {
  const own = await TestStack.start({ worker: false });
  try {
    const member = await own.member('crash');
    await own.agent(member, { upstreams: { default: slowDemo.url } });
    let worker = own.spawnWorker();
    await waitUntil(() => worker.output().includes('worker polling'), 'the worker to start');
    const before = slowDemo.stats().requests;
    const pending = ask(member, 'demo-chat', 'survive the crash');
    await waitUntil(() => slowDemo.stats().requests > before, 'the task to reach the model server');
    await worker.kill();
    worker = own.spawnWorker();
    const res = await pending;
    expect(res.data.choices[0].message.content).toContain('survive the crash');
    await worker.kill();
  } finally {
    await own.stop();
  }
});

test('a client that disconnects cancels the workflow and the agent aborts its upstream call', async () => {
  const member = await stack.member('cancel');
  const agent = await stack.agent(member);
  const abortedBefore = stack.demo.stats().aborted;
  const controller = new AbortController();
  const call = member.openai.chat.completions
    .create(
      { model: 'demo-chat-slow', messages: [{ role: 'user', content: 'never mind' }] },
      { signal: controller.signal },
    )
    .catch((err: Error) => err);
  await waitUntil(() => agent.activeTasks === 1, 'the agent to hold the slow task');
  await waitUntil(() => stack.demo.stats().inFlight > 0, 'the slow model to start');
  controller.abort();
  expect(await call).toBeInstanceOf(Error);

  await waitUntil(() => stack.demo.stats().aborted > abortedBefore, 'the agent to abort its upstream request', 10000);
  const row = await stack.db
    .selectFrom('requests')
    .selectAll()
    .where('member_id', '=', member.id)
    .executeTakeFirstOrThrow();
  await waitUntil(
    async () => (await requestRow(row.id)).status === 'CANCELED',
    'the request to be recorded as canceled',
  );
  const description = await stack.temporal.client.workflow.getHandle(row.workflow_id).describe();
  expect(description.status.name).toBe('CANCELLED');
});

test('a streaming client that disconnects stops the GPU work too', async () => {
  const paced = await startDemoProvider({ tokensPerSecond: 20 });
  const member = await stack.member('cancel-stream');
  await stack.agent(member, { upstreams: { default: paced.url } });
  try {
    const controller = new AbortController();
    const stream = await member.openai.chat.completions.create(
      {
        model: 'demo-chat',
        messages: [{ role: 'user', content: 'a very long story please' }],
        stream: true,
        max_tokens: 400,
      },
      { signal: controller.signal },
    );
    let chunks = 0;
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content) chunks += 1;
        if (chunks === 3) controller.abort();
      }
    } catch {
      // The SDK may surface the abort as an error or just end the iteration.
    }
    expect(chunks).toBe(3);
    await waitUntil(() => paced.stats().aborted === 1, 'the upstream stream to be aborted', 10000);
  } finally {
    await paced.close();
  }
});

test('an agent sees and answers only its own provider tasks', async () => {
  const alice = await stack.member('alice');
  const mallory = await stack.member('mallory');
  const agent = await stack.agent(alice);
  const headers = { authorization: `Bearer ${mallory.key}`, 'content-type': 'application/json' };

  const poll = await fetch(`${stack.url}/api/inference/agent/tasks?provider_id=${agent.id}`, { headers });
  expect(poll.status).toBe(404);

  // A task token Mallory did not receive is refused too, even if she learns it.
  const forged = await fetch(`${stack.url}/api/inference/agent/tasks/eyJtIjoieCJ9.bad/complete`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ status: 200, body: {} }),
  });
  expect(forged.status).toBe(404);
});

import { TestStack, type TestMember } from './support/test-stack';

let stack: TestStack;
let alice: TestMember;

beforeAll(async () => {
  stack = await TestStack.start();
  alice = await stack.member('alice');
  await stack.agent(alice);
});
afterAll(() => stack.stop());

test('a buffered chat completion goes through a workflow and the agent', async () => {
  const res = await alice.openai.chat.completions.create({
    model: 'demo-chat',
    messages: [{ role: 'user', content: 'Say hello.' }],
  });
  expect(res.object).toBe('chat.completion');
  expect(res.choices[0].message.content).toContain('Say hello.');
  expect(res.usage?.total_tokens).toBeGreaterThan(0);
});

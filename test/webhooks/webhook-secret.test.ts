import { randomUUID } from 'node:crypto';
import { createMember, findMemberByApiKey, getOrCreateWebhookSecret } from '../../db/repositories/member.repository';
import { TestStack, type TestMember } from '../support/test-stack';

let stack: TestStack;
let alice: TestMember;
let bob: TestMember;

beforeAll(async () => {
  stack = await TestStack.start({ worker: false });
  [alice, bob] = await Promise.all([stack.member('alice'), stack.member('bob')]);
});
afterAll(async () => {
  await stack?.stop();
});

const getSecret = (key?: string) =>
  fetch(`${stack.url}/api/account/webhook-secret`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

test('GET /api/account/webhook-secret creates the secret on first use and returns it after', async () => {
  const first = await getSecret(alice.key);
  expect(first.status).toBe(200);
  expect(first.headers.get('cache-control')).toBe('no-store');
  const { secret } = (await first.json()) as { secret: string };
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

  const again = (await (await getSecret(alice.key)).json()) as { secret: string };
  expect(again).toEqual({ secret });

  const other = (await (await getSecret(bob.key)).json()) as { secret: string };
  expect(other.secret).toMatch(/^whsec_/);
  expect(other.secret).not.toBe(secret);
});

test('without a key it is a 401 in the error envelope', async () => {
  const res = await getSecret();
  expect(res.status).toBe(401);
  expect(await res.json()).toEqual({
    error: {
      message: 'Authentication credentials were not provided.',
      type: 'not_authenticated',
      param: null,
      code: null,
    },
  });
  expect((await getSecret('ic_not-a-key')).status).toBe(401);
});

test('concurrent first uses all get the one stored secret', async () => {
  const member = await createMember(stack.db, `race-${randomUUID().slice(0, 8)}`);
  const secrets = await Promise.all(Array.from({ length: 8 }, () => getOrCreateWebhookSecret(stack.db, member.id)));
  expect(new Set(secrets).size).toBe(1);
  expect(secrets[0]).toMatch(/^whsec_/);
  expect(await getOrCreateWebhookSecret(stack.db, randomUUID())).toBeUndefined();
});

test('the member the API authenticates never carries the secret', async () => {
  const row = await stack.db
    .selectFrom('members')
    .select('webhook_secret')
    .where('id', '=', alice.id)
    .executeTakeFirst();
  expect(row?.webhook_secret).toMatch(/^whsec_/);
  expect(Object.keys((await findMemberByApiKey(stack.db, alice.key)) ?? {}).sort()).toEqual([
    'created_at',
    'default_collection_name',
    'default_request_visibility',
    'id',
    'name',
  ]);
});

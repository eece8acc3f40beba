import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createWebhookActivities, WEBHOOK_REFUSED } from '../../activities/webhook-activities';
import { WebhookDeliveryError } from '../../clients/webhooks';
import { createDb, type Db } from '../../db/database';
import { createMember, getOrCreateWebhookSecret } from '../../db/repositories/member.repository';
import { Webhook } from 'standardwebhooks';
import { Receiver } from './receiver';

try {
  // The retried attempts are logged by the SDK at WARN; the test asserts them instead.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // Already installed by an earlier test file in this process.
}

let db: Db;
let receiver: Receiver | undefined;
const job = { id: 'job_1', object: 'job', status: 'completed' };

beforeAll(() => {
  db = createDb(process.env.DATABASE_URL as string, 2);
});
afterAll(async () => {
  await db.destroy();
});
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function memberAndReceiver(statuses: number[] = [204]) {
  const member = await createMember(db, `webhooks-${randomUUID().slice(0, 8)}`);
  receiver = await Receiver.start({ statuses });
  return { member, receiver };
}

// The environment logs each failed attempt; the tests assert them instead.
const mockEnv = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

const activities = (allowPrivate: boolean) =>
  createWebhookActivities({ db, config: { webhooks: { allowPrivate, timeoutMs: 2000 } } });

describe('one attempt', () => {
  test('creates the member’s secret on first use and signs with it', async () => {
    const { member, receiver } = await memberAndReceiver();
    const { deliverWebhook } = activities(true);
    await mockEnv().run(deliverWebhook, {
      memberId: member.id,
      url: receiver.url,
      webhookId: 'msg_1',
      payload: job,
    });
    // The secret the member reads from the API is the one the delivery was signed with.
    const secret = (await getOrCreateWebhookSecret(db, member.id)) as string;
    expect(secret).toMatch(/^whsec_/);
    const [delivery] = receiver.deliveries;
    expect(receiver.deliveries).toHaveLength(1);
    expect(delivery.headers['webhook-id']).toBe('msg_1');
    expect(new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>)).toEqual(job);
  });

  test('a failing receiver is an ordinary, retryable error', async () => {
    const { member, receiver } = await memberAndReceiver([503]);
    const { deliverWebhook } = activities(true);
    const err = await mockEnv()
      .run(deliverWebhook, { memberId: member.id, url: receiver.url, webhookId: 'msg_2', payload: job })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookDeliveryError);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect((err as Error).message).toBe('The webhook receiver answered 503.');
  });

  test('a URL that now points at a private address is refused without a retry', async () => {
    const { member, receiver } = await memberAndReceiver();
    const { deliverWebhook } = activities(false);
    for (const url of [receiver.url, receiver.url.replace('127.0.0.1', 'localhost')]) {
      const err = await mockEnv()
        .run(deliverWebhook, { memberId: member.id, url, webhookId: 'msg_3', payload: job })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect(err).toMatchObject({ type: WEBHOOK_REFUSED, nonRetryable: true });
    }
    expect(receiver.deliveries).toHaveLength(0);
  });

  test('a member that no longer exists is refused without a retry', async () => {
    const { deliverWebhook } = activities(true);
    const err = await mockEnv()
      .run(deliverWebhook, { memberId: randomUUID(), url: 'http://127.0.0.1:9/', webhookId: 'msg_4', payload: job })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ type: WEBHOOK_REFUSED, nonRetryable: true });
  });
});

describe('under Temporal’s retry policy', () => {
  let connection: NativeConnection;
  let client: Client;
  let workflowBundle: { code: string };

  beforeAll(async () => {
    const address = process.env.TEMPORAL_ADDRESS as string;
    connection = await NativeConnection.connect({ address });
    client = new Client({ connection: await Connection.connect({ address }) });
    workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./deliver-webhook.workflow'),
      logger: new DefaultLogger('ERROR'),
    });
  }, 60_000);
  afterAll(async () => {
    await client?.connection.close();
    await connection?.close();
  });

  async function run(allowPrivate: boolean, input: Parameters<ReturnType<typeof activities>['deliverWebhook']>[0]) {
    const taskQueue = `webhooks-${randomUUID()}`;
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle,
      activities: activities(allowPrivate),
    });
    return worker.runUntil(
      client.workflow.execute('deliverWebhookWorkflow', { taskQueue, workflowId: randomUUID(), args: [input] }),
    );
  }

  test('a receiver failing twice then succeeding gets three attempts of one delivery, each signed', async () => {
    const { member, receiver } = await memberAndReceiver([500, 500, 200]);
    receiver.secret = (await getOrCreateWebhookSecret(db, member.id)) as string;
    await run(true, { memberId: member.id, url: receiver.url, webhookId: 'msg_job_1_completed', payload: job });

    expect(receiver.deliveries).toHaveLength(3);
    expect(receiver.deliveries.map((d) => d.headers['webhook-id'])).toEqual(Array(3).fill('msg_job_1_completed'));
    expect(receiver.deliveries.map((d) => d.verified)).toEqual(Array(3).fill({ ok: true, payload: job }));
  });

  test('a refused address fails the workflow after one attempt', async () => {
    const { member, receiver } = await memberAndReceiver();
    const err = await run(false, { memberId: member.id, url: receiver.url, webhookId: 'msg_x', payload: job }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (err as WorkflowFailedError).cause as ActivityFailure;
    expect(activityFailure).toBeInstanceOf(ActivityFailure);
    expect(activityFailure.cause).toMatchObject({ type: WEBHOOK_REFUSED });
    expect(receiver.deliveries).toHaveLength(0);
  });
});

import { WebhookRefusedError } from '../../clients/webhook-target';
import { sendWebhook, WebhookDeliveryError } from '../../clients/webhooks';
import { newWebhookSecret } from '../../db/repositories/member.repository';
import { Receiver } from './receiver';

const payload = { id: 'job_123', object: 'job', status: 'completed', result: { text: 'héllo' } };
let receiver: Receiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function receiverWith(options: Parameters<typeof Receiver.start>[0] = {}) {
  receiver = await Receiver.start(options);
  receiver.secret = newWebhookSecret();
  return receiver;
}

const send = (r: Receiver, extra: Partial<Parameters<typeof sendWebhook>[0]> = {}) =>
  sendWebhook({
    url: r.url,
    secret: r.secret,
    webhookId: 'msg_job_123_completed',
    payload,
    timeoutMs: 2000,
    allowPrivate: true,
    ...extra,
  });

test('a delivery is signed by Standard Webhooks and verifies with the member’s secret', async () => {
  const r = await receiverWith();
  await expect(send(r)).resolves.toBeUndefined();
  expect(r.deliveries).toHaveLength(1);
  const [delivery] = r.deliveries;
  expect(delivery.verified).toEqual({ ok: true, payload });
  expect(delivery.headers['webhook-id']).toBe('msg_job_123_completed');
  expect(delivery.headers['content-type']).toBe('application/json');
  expect(Math.abs(Number(delivery.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
  expect(delivery.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
  expect(JSON.parse(delivery.body)).toEqual(payload);
});

test('another secret does not verify', async () => {
  const r = await receiverWith();
  await send(r, { secret: newWebhookSecret() });
  expect(r.deliveries[0].verified).toMatchObject({ ok: false });
});

test('a non-2xx answer is a retryable error naming the status, never the URL or secret', async () => {
  const r = await receiverWith({ statuses: [500] });
  const err = (await send(r).catch((e: unknown) => e)) as WebhookDeliveryError;
  expect(err).toBeInstanceOf(WebhookDeliveryError);
  expect(err.status).toBe(500);
  expect(err.message).toBe('The webhook receiver answered 500.');
  expect(err.message).not.toContain('token=abc');
  expect(err.message).not.toContain(r.secret.slice(6));
});

test('redirects are not followed', async () => {
  const target = await Receiver.start();
  try {
    const r = await receiverWith({ statuses: [302], location: target.url });
    await expect(send(r)).rejects.toMatchObject({ name: 'WebhookDeliveryError', status: 302 });
    expect(target.deliveries).toHaveLength(0);
  } finally {
    await target.close();
  }
});

test('a receiver that does not answer in time is a retryable timeout', async () => {
  const r = await receiverWith({ delayMs: 1500 });
  await expect(send(r, { timeoutMs: 300 })).rejects.toThrow(
    new WebhookDeliveryError('The webhook receiver did not answer within 300 ms.'),
  );
});

test('a receiver that is not listening is a retryable network error', async () => {
  const r = await receiverWith();
  const url = r.url;
  await r.close();
  receiver = undefined;
  await expect(
    sendWebhook({ url, secret: newWebhookSecret(), webhookId: 'x', payload, timeoutMs: 2000, allowPrivate: true }),
  ).rejects.toThrow(new WebhookDeliveryError('The webhook receiver could not be reached (ECONNREFUSED).'));
});

test('without allowPrivate, a loopback address literal is refused before any connection', async () => {
  const r = await receiverWith();
  await expect(send(r, { allowPrivate: false })).rejects.toThrow(
    new WebhookRefusedError('The webhook host is not a public address (loopback 127.0.0.1).'),
  );
  expect(r.deliveries).toHaveLength(0);
});

test('without allowPrivate, a host name resolving to loopback is refused at connect time', async () => {
  const r = await receiverWith();
  const url = r.url.replace('127.0.0.1', 'localhost');
  await expect(send(r, { url, allowPrivate: false })).rejects.toThrow(WebhookRefusedError);
  expect(r.deliveries).toHaveLength(0);
  // With it, the same URL is delivered.
  await send(r, { url });
  expect(r.deliveries).toHaveLength(1);
});

test('a URL that is not http(s) is refused before any connection', async () => {
  await expect(
    sendWebhook({ url: 'ftp://127.0.0.1/x', secret: newWebhookSecret(), webhookId: 'x', payload, timeoutMs: 100 }),
  ).rejects.toThrow(WebhookRefusedError);
});

test('secrets have the whsec_ format the library decodes', () => {
  const secret = newWebhookSecret();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
  expect(newWebhookSecret()).not.toBe(secret);
});

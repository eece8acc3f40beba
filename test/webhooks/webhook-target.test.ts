import { ApiError } from '../../api/http/api-error';
import { assertWebhookParam } from '../../api/http/webhook-param';
import { checkWebhookUrl, isPublicAddress, WebhookRefusedError } from '../../clients/webhook-target';

const strict = { allowPrivate: false };

// No public name can be resolved here: classification is tested with literals and `localhost`.
test.each([
  'http://127.0.0.1/hook',
  'http://127.1.2.3:8080/hook',
  'http://localhost/hook',
  'http://LOCALHOST:9000/hook',
  'http://10.0.0.5/hook',
  'http://172.16.3.4/hook',
  'http://192.168.1.10/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://100.64.0.1/hook',
  'http://0.0.0.0/hook',
  'http://224.0.0.1/hook',
  'http://255.255.255.255/hook',
  'http://[::1]/hook',
  'http://[::]/hook',
  'http://[fd00::1]/hook',
  'http://[fc00::1]/hook',
  'http://[fe80::1]/hook',
  'http://[ff02::1]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:10.1.2.3]/hook',
  'http://[::ffff:169.254.169.254]/hook',
  // Spellings the URL parser turns into loopback.
  'http://2130706433/hook',
  'http://0x7f.1/hook',
])('refuses %s', async (url) => {
  await expect(checkWebhookUrl(url, strict)).rejects.toThrow(WebhookRefusedError);
});

test.each(['ftp://example.com/hook', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', 'http://', ''])(
  'refuses the non-http(s) URL %p',
  async (url) => {
    await expect(checkWebhookUrl(url, strict)).rejects.toThrow(WebhookRefusedError);
  },
);

test('refuses an overlong URL', async () => {
  await expect(checkWebhookUrl(`https://8.8.8.8/${'a'.repeat(2100)}`, strict)).rejects.toThrow(/longer than 2048/);
});

test('names the reason, never the URL', async () => {
  const err = (await checkWebhookUrl('http://10.1.2.3/hook?token=s3cret', strict).catch((e: unknown) => e)) as Error;
  expect(err.message).toMatch(/not a public address \(private 10\.1\.2\.3\)/);
  expect(err.message).not.toContain('s3cret');
});

test.each(['https://8.8.8.8/hook', 'http://1.1.1.1:8443/x?y=z', 'https://[2606:4700:4700::1111]/hook'])(
  'accepts the public address %s',
  async (url) => {
    await expect(checkWebhookUrl(url, strict)).resolves.toHaveLength(1);
  },
);

test('allowPrivate lets loopback and private addresses through', async () => {
  const open = { allowPrivate: true };
  await expect(checkWebhookUrl('http://127.0.0.1:1234/hook', open)).resolves.toEqual([
    { address: '127.0.0.1', family: 4 },
  ]);
  await expect(checkWebhookUrl('http://[::1]/hook', open)).resolves.toEqual([{ address: '::1', family: 6 }]);
  const local = await checkWebhookUrl('http://localhost/hook', open);
  expect(local.length).toBeGreaterThan(0);
  await expect(checkWebhookUrl('http://10.0.0.1/hook', open)).resolves.toHaveLength(1);
  // Still only http(s).
  await expect(checkWebhookUrl('ftp://127.0.0.1/', open)).rejects.toThrow(WebhookRefusedError);
});

test('classifies addresses deny-by-default', () => {
  expect(isPublicAddress('8.8.8.8')).toBe(true);
  expect(isPublicAddress('2a00:1450:4001:80b::200e')).toBe(true);
  expect(isPublicAddress('::ffff:8.8.8.8')).toBe(true);
  for (const address of ['127.0.0.1', '10.0.0.1', '192.168.0.1', '100.100.100.100', '::1', 'fd12::1', 'fe80::1']) {
    expect(isPublicAddress(address)).toBe(false);
  }
  // Documentation, 6to4 and NAT64 ranges are not plain public unicast either.
  expect(isPublicAddress('192.0.2.1')).toBe(false);
  expect(isPublicAddress('2002:7f00:1::')).toBe(false);
  expect(isPublicAddress('64:ff9b::7f00:1')).toBe(false);
  expect(isPublicAddress('not-an-address')).toBe(false);
});

describe('assertWebhookParam (job submission)', () => {
  const strictConfig = { webhooks: { allowPrivate: false, timeoutMs: 1000 } };

  test('a refused URL is a 400 naming the webhook field', async () => {
    const err = (await assertWebhookParam('http://127.0.0.1/hook', strictConfig).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.toJSON()).toEqual({
      error: {
        message: 'The webhook host is not a public address (loopback 127.0.0.1).',
        type: 'invalid_request_error',
        param: 'webhook',
        code: 'invalid_webhook_url',
      },
    });
    expect(err.status).toBe(400);
  });

  test('a name that does not resolve is a 400 too', async () => {
    await expect(assertWebhookParam('https://no-such-host.invalid/hook', strictConfig)).rejects.toMatchObject({
      status: 400,
      param: 'webhook',
      // NXDOMAIN here; a machine without a resolver says it could not resolve it.
      message: expect.stringMatching(/^The webhook host name (does not resolve|could not be resolved)/),
    });
  });

  test('a public address passes, and loopback passes with WEBHOOK_ALLOW_PRIVATE', async () => {
    await expect(assertWebhookParam('https://8.8.8.8/hook', strictConfig)).resolves.toBeUndefined();
    await expect(
      assertWebhookParam('http://localhost:1234/hook', { webhooks: { allowPrivate: true, timeoutMs: 1000 } }),
    ).resolves.toBeUndefined();
  });
});

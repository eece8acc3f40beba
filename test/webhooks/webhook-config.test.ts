import { loadConfig } from '../../config/config';
import { ConfigError } from '../../config/env';

const base = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY: 'a',
  S3_SECRET_KEY: 'b',
  GATEWAY_SECRET: 'a-secret-of-enough-length',
};

test('webhooks may not reach private addresses unless told, and time out after 10 s', () => {
  expect(loadConfig(base).webhooks).toEqual({ allowPrivate: false, timeoutMs: 10000 });
  expect(loadConfig({ ...base, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '2500' }).webhooks).toEqual({
    allowPrivate: true,
    timeoutMs: 2500,
  });
});

test.each([
  [{ WEBHOOK_ALLOW_PRIVATE: 'yes' }, 'WEBHOOK_ALLOW_PRIVATE must be true or false, got "yes"'],
  [{ WEBHOOK_TIMEOUT_MS: '0' }, 'WEBHOOK_TIMEOUT_MS must be an integer between 100 and 120000, got "0"'],
])('fails loudly on %p', (override, message) => {
  expect(() => loadConfig({ ...base, ...override })).toThrow(new ConfigError(message));
});

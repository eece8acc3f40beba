import { loadConfig } from '../config/config';
import { ConfigError } from '../config/env';

const base = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY: 'a',
  S3_SECRET_KEY: 'b',
  GATEWAY_SECRET: 'a-secret-of-enough-length',
};

test('reads a complete environment into a frozen config with defaults', () => {
  const config = loadConfig(base);
  expect(config.temporal).toEqual({
    address: '127.0.0.1:7233',
    namespace: 'default',
    taskQueue: 'inference',
    orchestrationQueue: 'inference.orchestration',
  });
  expect(config.dispatch).toMatchObject({ syncQueueMs: 60_000, jobQueueMs: 86_400_000, inFlightSeconds: 660 });
  expect(config.api).toMatchObject({ corsOrigins: '*', assetUrlTtlSeconds: 3600, drainMs: 10_000 });
  expect(loadConfig({ ...base, CORS_ORIGINS: 'https://a.example, http://localhost:3000' }).api.corsOrigins).toEqual([
    'https://a.example',
    'http://localhost:3000',
  ]);
  expect(config.api.publicBaseUrl).toBe('http://127.0.0.1:8080');
  expect(Object.isFrozen(config.api)).toBe(true);
  expect(config.api.inferenceWorker).toBe(true);
  expect(loadConfig({ ...base, API_INFERENCE_WORKER: 'false' }).api.inferenceWorker).toBe(false);
});

test.each([
  [{ DATABASE_URL: undefined }, 'Missing required environment variable DATABASE_URL'],
  [{ API_PORT: 'eighty' }, 'API_PORT must be an integer between 0 and 65535, got "eighty"'],
  [{ TEMPORAL_ADDRESS: 'no-port' }, 'TEMPORAL_ADDRESS must be host:port, got "no-port"'],
  [{ S3_ENDPOINT: 'not a url' }, 'S3_ENDPOINT must be a URL, got "not a url"'],
  [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of debug, info, warn, error, silent, got "loud"'],
  [{ GATEWAY_SECRET: 'short' }, 'GATEWAY_SECRET must be at least 16 characters'],
  [{ API_INFERENCE_WORKER: 'yes' }, 'API_INFERENCE_WORKER must be true or false, got "yes"'],
  [
    { CORS_ORIGINS: 'https://a.example/path' },
    'CORS_ORIGINS: "https://a.example/path" is not an origin (scheme://host[:port], no path)',
  ],
  [{ AGENT_POLL_MS: '1000' }, 'AGENT_POLL_MS must be an integer between 2000 and 60000, got "1000"'],
])('fails loudly on %p', (override, message) => {
  expect(() => loadConfig({ ...base, ...override })).toThrow(new ConfigError(message));
});

import { Connection } from '@temporalio/client';
import { AgentGateway } from '../../api/gateway/agent-gateway';
import { ApiError } from '../../api/http/api-error';
import { GrpcCloseGuard } from '../../clients/grpc-close-guard';
import { connectTemporal } from '../../clients/temporal';
import { loadConfig } from '../../config/config';
import { freePort } from '../../scripts/services';
import { ErrorType } from '../../workflows/errors';

const POLL_MS = 10 * 60_000;

test('an agent that left before its poll began costs no Temporal call', async () => {
  // Nothing listens at this address: a call would fail and be retried, not settle at once.
  const guard = new GrpcCloseGuard();
  const connection = Connection.lazy({
    address: `127.0.0.1:${await freePort()}`,
    interceptors: guard.interceptors(),
  });
  const gateway = new AgentGateway(connection, undefined as never, 'default', 'secret', POLL_MS, undefined as never);
  try {
    await expect(
      gateway.poll('m', 'p', 'agent@test', AbortSignal.abort(), new AbortController().signal),
    ).resolves.toBeNull();
    expect(guard.pending).toBe(0);
  } finally {
    guard.close();
    await connection.close();
  }
});

test('a poll cut by the API closing its Temporal connection answers 503, so the agent polls again', async () => {
  const clients = await connectTemporal(loadConfig({ ...process.env, GATEWAY_SECRET: 'unused-by-this-test' }));
  const gateway = new AgentGateway(
    clients.connection,
    clients.client,
    'default',
    'secret',
    POLL_MS,
    undefined as never,
  );
  const poll = gateway.poll(
    'm',
    `nobody-${Date.now()}`,
    'agent@test',
    new AbortController().signal,
    new AbortController().signal,
  );
  poll.catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await clients.close();
  const err: unknown = await poll.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  expect(err).toMatchObject({ type: ErrorType.Unavailable, status: 503 });
});

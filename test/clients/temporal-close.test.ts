import { status } from '@grpc/grpc-js';
import { Connection } from '@temporalio/client';
import { GrpcCloseGuard } from '../../clients/grpc-close-guard';
import { connectTemporal } from '../../clients/temporal';
import { loadConfig } from '../../config/config';
import { freePort } from '../../scripts/services';

/** How a grpc call settled: its status code, or 'resolved'. */
function settled(call: Promise<unknown>): Promise<number | 'resolved'> {
  return call.then(
    () => 'resolved' as const,
    (err: { code?: number }) => err.code ?? -1,
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('closing the clients cancels a long-poll in flight instead of leaving it to its deadline', async () => {
  const clients = await connectTemporal(loadConfig({ ...process.env, GATEWAY_SECRET: 'unused-by-this-test' }));
  const { connection } = clients;
  // Far beyond the test's own time-out: only the close can end this poll in time.
  const poll = settled(
    connection.withDeadline(Date.now() + 10 * 60_000, () =>
      connection.workflowService.pollActivityTaskQueue({
        namespace: 'default',
        taskQueue: { name: `nobody-polls-${Date.now()}` },
        identity: 'close-test',
      }),
    ),
  );
  await sleep(200);
  await clients.close();
  expect(await poll).toBe(status.CANCELLED);
});

test('a retry whose backoff timer outlives the close ends CANCELLED instead of throwing from the timer', async () => {
  // Nothing listens here: the first attempt fails UNAVAILABLE and the retry interceptor sets a timer.
  // Without the guard that timer asks the closed channel for a call and grpc-js throws
  // "Channel has been shut down" as an uncaught exception, and the call never settles.
  const guard = new GrpcCloseGuard();
  const connection = Connection.lazy({
    address: `127.0.0.1:${await freePort()}`,
    interceptors: guard.interceptors(),
  });
  const call = settled(
    connection.withDeadline(Date.now() + 60_000, () =>
      connection.workflowService.describeNamespace({ namespace: 'default' }),
    ),
  );
  await sleep(50);
  expect(guard.pending).toBe(1);
  guard.close();
  await connection.close();
  expect(await call).toBe(status.CANCELLED);
  expect(guard.pending).toBe(0);
});

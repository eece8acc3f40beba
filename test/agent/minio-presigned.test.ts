import { randomUUID } from 'node:crypto';
import { Client } from 'minio';
import { forwardTask } from '../../agent/forward-task';
import { TaskFailure } from '../../agent/task-failure';
import { encodePng, pngSize } from '../../demo-provider/png';
import { startDemoProvider, type DemoProvider } from '../../demo-provider/server';
import type { AgentTask } from '../../workflows/agent-protocol';

const BUCKET = 'agent-test';

let demo: DemoProvider;
let s3: Client;

beforeAll(async () => {
  const endpoint = new URL(process.env.S3_ENDPOINT as string);
  s3 = new Client({
    endPoint: endpoint.hostname,
    port: Number(endpoint.port),
    useSSL: endpoint.protocol === 'https:',
    accessKey: process.env.S3_ACCESS_KEY as string,
    secretKey: process.env.S3_SECRET_KEY as string,
    region: 'us-east-1',
  });
  if (!(await s3.bucketExists(BUCKET))) await s3.makeBucket(BUCKET, 'us-east-1');
  demo = await startDemoProvider();
});
afterAll(() => demo.close());

async function objectBytes(key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await s3.getObject(BUCKET, key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

test('an image edit reads its input and stores its outputs through real presigned URLs', async () => {
  const prefix = randomUUID();
  await s3.putObject(BUCKET, `${prefix}/in.png`, await encodePng(24, 20, Buffer.alloc(24 * 20 * 3, 0x40)));
  const outKeys = [`${prefix}/out-0`, `${prefix}/out-1`];
  const task: AgentTask = {
    requestId: prefix,
    serviceType: 'image',
    endpoint: '/v1/images/edits',
    body: { model: 'demo-image', prompt: 'make it blue', n: 2 },
    stream: false,
    encoding: 'multipart',
    files: [
      {
        field: 'image',
        url: await s3.presignedGetObject(BUCKET, `${prefix}/in.png`, 60),
        filename: 'in.png',
        contentType: 'image/png',
      },
    ],
    outputs: {
      urls: await Promise.all(outKeys.map((key) => s3.presignedPutObject(BUCKET, key, 60))),
      mode: 'b64_json',
    },
  };
  const forwarded = await forwardTask({ default: demo.url }, task, new AbortController().signal);
  if (!('result' in forwarded)) throw new Error('expected a result');
  for (const [index, key] of outKeys.entries()) {
    const stat = await s3.statObject(BUCKET, key);
    expect(stat.metaData['content-type']).toBe('image/png');
    expect(forwarded.result.outputs?.[index]).toEqual({ index, content_type: 'image/png', bytes: stat.size });
    expect(pngSize(await objectBytes(key))).toEqual([24, 20]);
  }
});

test('a presigned PUT that S3 refuses fails without leaking the signature', async () => {
  const key = `${randomUUID()}/out-0`;
  const url = await s3.presignedPutObject(BUCKET, key, 60);
  const forged = url.replace(/X-Amz-Signature=[0-9a-f]+/, `X-Amz-Signature=${'0'.repeat(64)}`);
  const err = await forwardTask(
    { default: demo.url },
    {
      requestId: randomUUID(),
      serviceType: 'mesh',
      endpoint: '/v1/3d/generations',
      body: { model: 'demo-mesh', prompt: 'a table' },
      stream: false,
      outputs: { urls: [forged], mode: 'raw' },
    },
    new AbortController().signal,
  ).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TaskFailure);
  expect((err as TaskFailure).report()).toEqual({
    type: 'storage_unavailable',
    message: `could not upload output 0 at ${forged.split('?')[0]}: HTTP 403 (SignatureDoesNotMatch)`,
  });
  await expect(s3.statObject(BUCKET, key)).rejects.toThrow();
});

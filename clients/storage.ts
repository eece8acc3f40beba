import { Client } from 'minio';
import type { Config } from '../config/config';
import { tagRejections } from './dependency-tag';

export interface Storage {
  client: Client;
  bucket: string;
}

/** The S3 client (MinIO locally, any S3-compatible store in production); its failures say they are storage's. */
export function createStorage(config: Pick<Config, 's3'>): Storage {
  const endpoint = new URL(config.s3.endpoint);
  const useSSL = endpoint.protocol === 'https:';
  const client = tagRejections(
    new Client({
      endPoint: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey: config.s3.accessKey,
      secretKey: config.s3.secretKey,
      region: config.s3.region,
    }),
    'storage',
  );
  return { client, bucket: config.s3.bucket };
}

/** Creates the output bucket on first start; connection errors propagate. */
export async function ensureBucket({ client, bucket }: Storage, region: string): Promise<void> {
  if (!(await client.bucketExists(bucket))) await client.makeBucket(bucket, region);
}

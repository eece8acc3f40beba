import type { Readable } from 'node:stream';
import type { Storage } from './storage';

/** The bytes of Files API files in the bucket (their rows are db/repositories/file.repository.ts). */

export async function putFileBytes(storage: Storage, key: string, bytes: Buffer, contentType: string): Promise<void> {
  await storage.client.putObject(storage.bucket, key, bytes, bytes.length, { 'Content-Type': contentType });
}

/** A stream of the stored bytes; undefined when the object is missing. */
export async function openFileBytes(storage: Storage, key: string): Promise<Readable | undefined> {
  try {
    return await storage.client.getObject(storage.bucket, key);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** The stored bytes in memory; undefined when the object is missing. */
export async function readFileBytes(storage: Storage, key: string): Promise<Buffer | undefined> {
  const stream = await openFileBytes(storage, key);
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Removes the bytes; an object already gone is not an error. */
export async function removeFileBytes(storage: Storage, key: string): Promise<void> {
  await storage.client.removeObject(storage.bucket, key);
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'NoSuchKey' || code === 'NotFound';
}

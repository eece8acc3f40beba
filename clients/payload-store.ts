import type { PayloadRef } from '../workflows/inference-contract';
import type { Storage } from './storage';

/**
 * Temporal keeps every payload in the workflow's history and refuses one over about 2 MiB, so a
 * JSON document larger than this travels by reference: stored in the bucket, the workflow carries
 * its key (the claim-check pattern). Small ones stay inline, where they cost no extra round trip.
 */
export const INLINE_PAYLOAD_BYTES = 256 * 1024;

/** Stores `json` (already serialized) under `key` and returns the reference that replaces it. */
export async function putPayload(storage: Storage, key: string, json: Buffer): Promise<PayloadRef> {
  await storage.client.putObject(storage.bucket, key, json, json.length, { 'Content-Type': 'application/json' });
  return { key, bytes: json.length };
}

export async function getPayload<T = unknown>(storage: Storage, ref: PayloadRef): Promise<T> {
  const stream = await storage.client.getObject(storage.bucket, ref.key);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

/** Stores `value` as JSON whatever its size (a job's answer is kept for its owner to fetch). */
export async function storePayload(storage: Storage, key: string, value: unknown): Promise<{ ref: PayloadRef }> {
  return { ref: await putPayload(storage, key, Buffer.from(JSON.stringify(value) ?? 'null')) };
}

/**
 * The value itself when its JSON is small enough to travel inline, else a reference to its stored
 * copy under `key`.
 */
export async function inlineOrStored<T>(
  storage: Storage,
  key: string,
  value: T,
): Promise<{ inline: T; ref?: undefined } | { inline?: undefined; ref: PayloadRef }> {
  const json = Buffer.from(JSON.stringify(value) ?? 'null');
  if (json.length <= INLINE_PAYLOAD_BYTES) return { inline: value };
  return { ref: await putPayload(storage, key, json) };
}

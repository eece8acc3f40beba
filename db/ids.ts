/**
 * The shapes of the ids the database hands out. Every id from a URL or body is checked against
 * its shape before it reaches a query, so a malformed one is "not found" (or a 400), never a
 * Postgres error.
 */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** Postgres `integer` (serial) ids: 1 to 2^31-1. */
export const MAX_SERIAL_ID = 2147483647;

export function isSerialId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_SERIAL_ID;
}

/** A serial id written in a URL path: digits only, in range. */
export function parseSerialId(text: string): number | undefined {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return undefined;
  const id = Number(text);
  return isSerialId(id) ? id : undefined;
}

/** Asset ids: 18 random bytes, base64url (24 characters). */
export function isAssetId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{24}$/.test(value);
}

/** A model id as the ModelId schema allows it: 1 to 256 characters, none of them control characters. */
export function isModelId(value: unknown): value is string {
  return typeof value === 'string' && /^[^\u0000-\u001f\u007f]{1,256}$/.test(value);
}

/** Request and job ids: 32 lowercase hex characters. */
export function isRequestId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{32}$/.test(value);
}

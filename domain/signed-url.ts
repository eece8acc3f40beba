import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/config';

/**
 * Output URLs that work where OpenAI's do (an `<img>` tag, a plain download): the asset's address
 * plus an expiry and an HMAC over both, so the link itself is the credential, for a limited time.
 * The bare asset URL still needs a key.
 */
export function signedAssetUrl(config: Pick<Config, 'api'>, assetId: string, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + config.api.assetUrlTtlSeconds;
  const signature = sign(config.api.gatewaySecret, assetId, expires);
  return `${config.api.publicBaseUrl}/api/inference/assets/${assetId}/?expires=${expires}&signature=${signature}`;
}

export type SignatureCheck = 'valid' | 'expired' | 'invalid';

export function checkAssetSignature(
  secret: string,
  assetId: string,
  expires: unknown,
  signature: unknown,
  now = Date.now(),
): SignatureCheck {
  if (typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(expires)) return 'invalid';
  const expected = Buffer.from(sign(secret, assetId, Number(expires)));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  return Number(expires) * 1000 < now ? 'expired' : 'valid';
}

function sign(secret: string, assetId: string, expires: number): string {
  return createHmac('sha256', secret).update(`asset:${assetId}:${expires}`).digest('base64url');
}

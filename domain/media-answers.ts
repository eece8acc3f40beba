import type { Config } from '../config/config';
import type { StoredAsset } from '../workflows/inference-contract';
import { signedAssetUrl } from './signed-url';

type Signer = Pick<Config, 'api'>;

/**
 * OpenAI's image response from the provider's answer (its bytes already taken out) and the stored
 * images: each item keeps what the provider said about it (`revised_prompt`) and gets a signed link.
 */
export function imageAnswer(config: Signer, body: unknown, assets: Pick<StoredAsset, 'id'>[]) {
  const upstream = (body ?? {}) as { created?: number; data?: Record<string, unknown>[] };
  return {
    created: upstream.created ?? Math.floor(Date.now() / 1000),
    data: assets.map((asset, i) => ({ ...(upstream.data?.[i] ?? {}), url: signedAssetUrl(config, asset.id) })),
  };
}

/** The 3D answer: a signed link, the format and the size of each stored mesh. */
export function meshAnswer(config: Signer, assets: StoredAsset[], format: string) {
  return {
    created: Math.floor(Date.now() / 1000),
    data: assets.map((a) => ({
      url: signedAssetUrl(config, a.id),
      format,
      content_type: a.contentType,
      bytes: a.bytes,
    })),
  };
}

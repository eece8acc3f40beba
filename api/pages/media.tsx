import type { Config } from '../../config/config';

/** An output or input asset as pages show it. */
export interface PageAsset {
  url: string;
  content_type: string;
  id?: string;
  bytes?: number;
}

/**
 * A URL of this site made relative (`/api/inference/assets/...`), so the page's CSP ('self') admits
 * it whatever host the browser used; other URLs are left alone (and the CSP keeps them from loading).
 */
export function localUrl(config: Pick<Config, 'api'>, url: string): string {
  const base = config.api.publicBaseUrl.replace(/\/$/, '');
  return url.startsWith(`${base}/`) ? url.slice(base.length) : url;
}

/** One asset as a person expects it: the image, an audio or video player, a download for anything else. */
export function Media({ asset, alt, preview }: { asset: PageAsset; alt?: string; preview?: boolean }) {
  const type = asset.content_type;
  if (type.startsWith('image/')) {
    return (
      <img src={asset.url} alt={alt ?? 'generated image'} class={preview ? 'preview' : undefined} loading="lazy" />
    );
  }
  if (type.startsWith('audio/')) {
    return <audio controls preload="metadata" src={asset.url} />;
  }
  if (type.startsWith('video/')) {
    return <video controls preload="metadata" playsinline src={asset.url} class={preview ? 'preview' : undefined} />;
  }
  return (
    <a href={asset.url} download>
      Download ({type}
      {asset.bytes ? `, ${asset.bytes} bytes` : ''})
    </a>
  );
}

/** Every asset (`{url, content_type}`) inside a step's output or a gate's value, in order. */
export function assetsIn(value: unknown, out: PageAsset[] = []): PageAsset[] {
  if (Array.isArray(value)) {
    for (const v of value) assetsIn(v, out);
  } else if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (typeof node.url === 'string' && typeof node.content_type === 'string') {
      out.push({ url: node.url, content_type: node.content_type });
    } else {
      for (const v of Object.values(node)) assetsIn(v, out);
    }
  }
  return out;
}

/** A value of a run (a step's output, what a gate shows): its media first, then the JSON itself. */
export function Value({ config, value }: { config: Pick<Config, 'api'>; value: unknown }) {
  if (value === null || value === undefined) return <p class="muted">—</p>;
  const media = assetsIn(value).map((a) => ({ ...a, url: localUrl(config, a.url) }));
  return (
    <div class="media">
      {media.length > 0 && (
        <div class="grid">
          {media.map((asset) => (
            <Media asset={asset} />
          ))}
        </div>
      )}
      {typeof value === 'string' ? <pre>{value}</pre> : <pre>{JSON.stringify(value, null, 2)}</pre>}
    </div>
  );
}

import type { Config } from '../../config/config';
import type { Member } from '../../db/tables/member.table';
import type { HistoryEntry } from '../../domain/history-view';
import type { CollectionView, ProfileView } from '../sharing/sharing-views';
import { promptOf, Outputs } from './history';
import { localUrl, Media } from './media';
import { Layout, when } from './render';

interface Viewing {
  member?: Member;
  csrf?: string;
  config: Pick<Config, 'api'>;
}

const clip = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

/** An absolute URL of this site (Open Graph wants absolute ones). */
const absolute = (config: Pick<Config, 'api'>, url: string) =>
  url.startsWith('/') ? `${config.api.publicBaseUrl.replace(/\/$/, '')}${url}` : url;

/**
 * Open Graph tags, so a pasted link previews: the title and description, and the media itself
 * (og:image, og:audio or og:video, with its type) at an absolute URL.
 */
function OpenGraph({
  config,
  title,
  description,
  url,
  entries,
}: Viewing & { title: string; description: string; url: string; entries: HistoryEntry[] }) {
  const assets = entries.flatMap((e) => e.output.assets);
  const image = assets.find((a) => a.content_type.startsWith('image/'));
  const audio = assets.find((a) => a.content_type.startsWith('audio/'));
  const video = assets.find((a) => a.content_type.startsWith('video/'));
  const type = video ? 'video.other' : audio ? 'music.song' : 'website';
  return (
    <>
      <meta name="description" content={description} />
      <meta property="og:site_name" content="inference.club" />
      <meta property="og:title" content={title} />
      <meta property="og:description" content={description} />
      <meta property="og:type" content={type} />
      <meta property="og:url" content={absolute(config, url)} />
      {image && <meta property="og:image" content={absolute(config, image.url)} />}
      {image && <meta property="og:image:type" content={image.content_type} />}
      {audio && <meta property="og:audio" content={absolute(config, audio.url)} />}
      {audio && <meta property="og:audio:type" content={audio.content_type} />}
      {video && <meta property="og:video" content={absolute(config, video.url)} />}
      {video && <meta property="og:video:type" content={video.content_type} />}
      <meta name="twitter:card" content={image ? 'summary_large_image' : 'summary'} />
    </>
  );
}

function describe(entry: HistoryEntry): string {
  const prompt = promptOf(entry.input);
  return clip(prompt ?? entry.output.text ?? `${entry.kind} by ${entry.owner.name}`, 200);
}

export function SharedRequestPage({ member, csrf, config, entry }: Viewing & { entry: HistoryEntry }) {
  const prompt = promptOf(entry.input);
  const title = `${prompt ? clip(prompt, 70) : entry.kind} · ${entry.model}`;
  return (
    <Layout
      title={title}
      member={member}
      csrf={csrf}
      head={
        <OpenGraph
          config={config}
          title={title}
          description={describe(entry)}
          url={entry.share_url}
          entries={[entry]}
        />
      }
    >
      <article class="card" data-request={entry.id}>
        <h1>{prompt ? clip(prompt, 140) : entry.kind}</h1>
        <p class="muted">
          {entry.kind} with <strong>{entry.model}</strong> by{' '}
          <a href={`/u/${encodeURIComponent(entry.owner.name)}`}>{entry.owner.name}</a> · {when(entry.created_at)} ·{' '}
          <span class="badge">{entry.visibility}</span>
        </p>
        <Outputs config={config} entry={entry} />
        {entry.inputs.length > 0 && (
          <>
            <h2>Inputs</h2>
            <div class="grid media">
              {entry.inputs.map((a) => (
                <Media asset={{ ...a, url: localUrl(config, a.url) }} alt="input" preview />
              ))}
            </div>
          </>
        )}
        {entry.error && <p class="notice error">{entry.error.message}</p>}
        {prompt && (
          <>
            <h2>Prompt</h2>
            <pre>{prompt}</pre>
          </>
        )}
        {entry.input && (
          <details>
            <summary>Full request</summary>
            <pre>{JSON.stringify(entry.input, null, 2)}</pre>
          </details>
        )}
      </article>
    </Layout>
  );
}

export function CollectionPage({ member, csrf, config, collection }: Viewing & { collection: CollectionView }) {
  const songs = collection.items.filter((e) => e.output.assets.some((a) => a.content_type.startsWith('audio/')));
  const playlist = songs.length > 0 && songs.length >= collection.items.length / 2;
  const title = `${collection.name} by ${collection.owner.name}`;
  return (
    <Layout
      title={title}
      member={member}
      csrf={csrf}
      scripts={playlist ? ['/static/playlist.js'] : []}
      head={
        <OpenGraph
          config={config}
          title={title}
          description={`${collection.items.length} ${playlist ? 'songs' : 'items'} in a collection by ${collection.owner.name}`}
          url={collection.share_url}
          entries={collection.items}
        />
      }
    >
      <h1>{collection.name}</h1>
      <p class="muted">
        A collection by <a href={`/u/${encodeURIComponent(collection.owner.name)}`}>{collection.owner.name}</a> ·{' '}
        {collection.items.length} items · <span class="badge">{collection.visibility}</span>
      </p>
      {collection.items.length === 0 && <p class="muted">Nothing to show here.</p>}
      {playlist ? (
        <ol class="playlist media">
          {collection.items.map((entry) => (
            <li data-request={entry.id}>
              <strong>{clip(promptOf(entry.input) ?? entry.kind, 120)}</strong>{' '}
              <a class="muted" href={localUrl(config, entry.share_url)}>
                open
              </a>
              <Outputs config={config} entry={entry} preview />
            </li>
          ))}
        </ol>
      ) : (
        <div class="grid">
          {collection.items.map((entry) => (
            <figure class="card media" data-request={entry.id}>
              <Outputs config={config} entry={entry} preview />
              <figcaption>
                <a href={localUrl(config, entry.share_url)}>{clip(promptOf(entry.input) ?? entry.kind, 100)}</a>
              </figcaption>
            </figure>
          ))}
        </div>
      )}
    </Layout>
  );
}

export function ProfilePage({ member, csrf, config, profile }: Viewing & { profile: ProfileView }) {
  return (
    <Layout
      title={profile.name}
      member={member}
      csrf={csrf}
      head={
        <OpenGraph
          config={config}
          title={`${profile.name} on inference.club`}
          description={`Public requests and collections of ${profile.name}`}
          url={`/u/${encodeURIComponent(profile.name)}`}
          entries={profile.requests.slice(0, 1)}
        />
      }
    >
      <h1>{profile.name}</h1>
      <h2>Collections</h2>
      {profile.collections.length === 0 ? (
        <p class="muted">No public collections.</p>
      ) : (
        <ul>
          {profile.collections.map((c) => (
            <li data-collection={c.id}>
              <a href={localUrl(config, c.share_url)}>{c.name}</a> <span class="muted">({c.item_count} items)</span>
            </li>
          ))}
        </ul>
      )}
      <h2>Public requests</h2>
      {profile.requests.length === 0 && <p class="muted">No public requests.</p>}
      <div class="grid">
        {profile.requests.map((entry) => (
          <figure class="card media" data-request={entry.id}>
            <Outputs config={config} entry={entry} preview />
            <figcaption>
              <a href={localUrl(config, entry.share_url)}>{clip(promptOf(entry.input) ?? entry.kind, 100)}</a>
              <div class="muted">{entry.model}</div>
            </figcaption>
          </figure>
        ))}
      </div>
    </Layout>
  );
}

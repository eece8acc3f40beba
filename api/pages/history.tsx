import type { Config } from '../../config/config';
import type { Member } from '../../db/tables/member.table';
import type { HistoryEntry } from '../../domain/history-view';
import { VISIBILITIES, type Visibility } from '../../domain/visibility';
import type { CollectionObject, CollectionView } from '../sharing/sharing-views';
import { localUrl, Media } from './media';
import { Csrf, Layout, when } from './render';
import { Pager, Status } from './work';

/** What was asked, in a line: the prompt, the last message, the text to speak. */
export function promptOf(input: Record<string, unknown> | null): string | null {
  if (!input) return null;
  for (const field of ['prompt', 'input', 'text']) {
    if (typeof input[field] === 'string') return input[field] as string;
  }
  if (Array.isArray(input.messages)) {
    const last = input.messages.at(-1) as { content?: unknown } | undefined;
    if (typeof last?.content === 'string') return last.content;
    if (Array.isArray(last?.content)) {
      const text = (last.content as { type?: string; text?: string }[]).find((p) => p.type === 'text');
      if (text?.text) return text.text;
    }
  }
  return null;
}

const clip = (text: string, n: number) => (text.length > n ? `${text.slice(0, n)}…` : text);

/** An entry's outputs, with asset links made relative (the CSP admits 'self'). */
export function Outputs({
  config,
  entry,
  preview,
}: {
  config: Pick<Config, 'api'>;
  entry: HistoryEntry;
  preview?: boolean;
}) {
  const prompt = promptOf(entry.input);
  return (
    <div class="media">
      {entry.output.assets.map((a) => (
        <Media asset={{ ...a, url: localUrl(config, a.url) }} alt={prompt ?? entry.kind} preview={preview} />
      ))}
      {entry.output.text !== null && <pre>{preview ? clip(entry.output.text, 400) : entry.output.text}</pre>}
    </div>
  );
}

export interface HistoryFiltersShown {
  kind?: string;
  model?: string;
  visibility?: Visibility;
  collection?: string;
}

export function HistoryPage({
  member,
  csrf,
  config,
  entries,
  hasMore,
  filters,
  kinds,
  collections,
}: {
  member: Member;
  csrf?: string;
  config: Pick<Config, 'api'>;
  entries: HistoryEntry[];
  hasMore: boolean;
  filters: HistoryFiltersShown;
  kinds: string[];
  collections: CollectionObject[];
}) {
  const query = new URLSearchParams(
    Object.entries(filters).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  ).toString();
  return (
    <Layout title="History" member={member} csrf={csrf} path="/dashboard">
      <h1>History</h1>
      <form class="filters" method="get" action="/dashboard">
        <label>
          Kind
          <select name="kind">
            <option value="">any</option>
            {kinds.map((k) => (
              <option value={k} selected={k === filters.kind}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Model
          <input type="text" name="model" value={filters.model ?? ''} placeholder="any" />
        </label>
        <label>
          Visibility
          <select name="visibility">
            <option value="">any</option>
            {VISIBILITIES.map((v) => (
              <option value={v} selected={v === filters.visibility}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          Collection
          <select name="collection">
            <option value="">any</option>
            {collections.map((c) => (
              <option value={c.id} selected={c.id === filters.collection}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="secondary">
          Filter
        </button>
      </form>
      {entries.length === 0 && <p class="muted">Nothing here yet: your requests appear as you make them.</p>}
      <table>
        <tbody>
          {entries.map((entry) => {
            const prompt = promptOf(entry.input);
            return (
              <tr data-request={entry.id}>
                <td>
                  <strong>{entry.kind}</strong> · {entry.model} <Status status={entry.status} />
                  <div class="muted">
                    {when(entry.created_at)}
                    {entry.latency_ms !== null ? ` · ${entry.latency_ms} ms` : ''}
                    {entry.parent?.run_id
                      ? ` · run ${entry.parent.run_id.slice(0, 8)} step ${entry.parent.step_id}`
                      : ''}
                    {entry.parent?.batch_id ? ` · batch ${entry.parent.batch_id}` : ''}
                  </div>
                  {prompt && <p>{clip(prompt, 300)}</p>}
                  {entry.error && <p class="notice error">{entry.error.message}</p>}
                  {entry.collections.length > 0 && (
                    <p class="muted">in {entry.collections.map((c) => c.name).join(', ')}</p>
                  )}
                  <form class="inline" method="post" action={`/dashboard/requests/${entry.id}/visibility`}>
                    <a href={localUrl(config, entry.share_url)}>share link</a>
                    <Csrf token={csrf} />
                    <input type="hidden" name="back" value={query ? `/dashboard?${query}` : '/dashboard'} />
                    <VisibilitySelect value={entry.visibility} />
                    <button type="submit" class="secondary">
                      Set
                    </button>
                  </form>
                  {entry.status !== 'QUEUED' && entry.status !== 'PROCESSING' && (
                    <form class="inline" method="post" action={`/dashboard/requests/${entry.id}/delete`}>
                      <Csrf token={csrf} />
                      <input type="hidden" name="back" value={query ? `/dashboard?${query}` : '/dashboard'} />
                      <button type="submit" class="secondary">
                        Delete
                      </button>
                    </form>
                  )}
                </td>
                <td>
                  <Outputs config={config} entry={entry} preview />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <Pager path="/dashboard" lastId={entries.at(-1)?.id ?? null} hasMore={hasMore} query={query} />
    </Layout>
  );
}

function VisibilitySelect({ value }: { value: Visibility }) {
  return (
    <select name="visibility">
      {VISIBILITIES.map((v) => (
        <option value={v} selected={v === value}>
          {v}
        </option>
      ))}
    </select>
  );
}

export function CollectionsPage({
  member,
  csrf,
  config,
  collections,
}: {
  member: Member;
  csrf?: string;
  config: Pick<Config, 'api'>;
  collections: CollectionObject[];
}) {
  return (
    <Layout title="Collections" member={member} csrf={csrf} path="/dashboard/collections">
      <h1>Collections</h1>
      <div class="card">
        <form class="inline" method="post" action="/dashboard/collections">
          <Csrf token={csrf} />
          <input type="text" name="name" placeholder="New collection name" required maxLength={200} />
          <VisibilitySelect value={member.default_request_visibility} />
          <button type="submit">Create</button>
        </form>
      </div>
      {collections.length === 0 && <p class="muted">No collections yet.</p>}
      <table>
        <tbody>
          {collections.map((c) => (
            <tr data-collection={c.id}>
              <td>
                <a href={`/dashboard/collections/${c.id}`}>{c.name}</a>
                <div class="muted">{c.item_count} items</div>
              </td>
              <td>
                <form class="inline" method="post" action={`/dashboard/collections/${c.id}`}>
                  <Csrf token={csrf} />
                  <VisibilitySelect value={c.visibility} />
                  <button type="submit" class="secondary">
                    Set visibility
                  </button>
                </form>
              </td>
              <td>
                <a href={localUrl(config, c.share_url)}>share link</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

export function CollectionEditPage({
  member,
  csrf,
  config,
  collection,
}: {
  member: Member;
  csrf?: string;
  config: Pick<Config, 'api'>;
  collection: CollectionView;
}) {
  const action = `/dashboard/collections/${collection.id}`;
  return (
    <Layout title={collection.name} member={member} csrf={csrf} path="/dashboard/collections">
      <h1>{collection.name}</h1>
      <p>
        <span class="badge">{collection.visibility}</span> · {collection.item_count} items ·{' '}
        <a href={localUrl(config, collection.share_url)}>share link</a>
      </p>
      <div class="card">
        <form class="inline" method="post" action={action}>
          <Csrf token={csrf} />
          <input type="text" name="name" value={collection.name} required maxLength={200} />
          <VisibilitySelect value={collection.visibility} />
          <button type="submit">Save</button>
        </form>
      </div>
      <h2>Items, in playlist order</h2>
      {collection.items.length === 0 && (
        <p class="muted">Empty: send a request with &quot;collection&quot; set to this name.</p>
      )}
      <ol class="playlist">
        {collection.items.map((entry, i) => (
          <li data-request={entry.id}>
            <div class="card">
              <strong>{clip(promptOf(entry.input) ?? entry.kind, 120)}</strong>{' '}
              <span class="muted">
                {entry.kind} · {entry.model}
              </span>
              <Outputs config={config} entry={entry} preview />
              <form class="inline" method="post" action={`${action}/order`}>
                <Csrf token={csrf} />
                <input type="hidden" name="request_id" value={entry.id} />
                <button type="submit" name="move" value="up" class="secondary" disabled={i === 0}>
                  ↑ Up
                </button>
                <button
                  type="submit"
                  name="move"
                  value="down"
                  class="secondary"
                  disabled={i === collection.items.length - 1}
                >
                  ↓ Down
                </button>
              </form>{' '}
              <form class="inline" method="post" action={`${action}/remove`}>
                <Csrf token={csrf} />
                <input type="hidden" name="request_id" value={entry.id} />
                <button type="submit" class="danger">
                  Remove
                </button>
              </form>
            </div>
          </li>
        ))}
      </ol>
    </Layout>
  );
}

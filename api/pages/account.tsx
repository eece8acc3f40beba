import type { ApiKeySummary } from '../../db/repositories/member.repository';
import type { Member } from '../../db/tables/member.table';
import { VISIBILITIES } from '../../domain/visibility';
import { Csrf, Layout } from './render';

const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : '—');

export function KeysPage({
  member,
  csrf,
  keys,
  created,
}: {
  member: Member;
  csrf?: string;
  keys: ApiKeySummary[];
  /** A key just created: shown this once, never again. */
  created?: string;
}) {
  return (
    <Layout title="API keys" member={member} csrf={csrf} path="/dashboard/keys">
      <h1>API keys</h1>
      {created && (
        <div class="notice" role="status">
          <p>Your new key. Copy it now: it is shown this once and only its hash is kept.</p>
          <p class="secret" id="new-key">
            {created}
          </p>
        </div>
      )}
      <form class="inline" method="post" action="/dashboard/keys">
        <Csrf token={csrf} />
        <button type="submit">Create a key</button>
      </form>
      <h2>Your keys</h2>
      <table>
        <thead>
          <tr>
            <th>Key</th>
            <th>Created</th>
            <th>Status</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr data-key={key.prefix}>
              <td>
                <code>{key.prefix}…</code>
              </td>
              <td>{day(key.created_at)}</td>
              <td>{key.revoked_at ? `revoked ${day(key.revoked_at)}` : 'active'}</td>
              <td>
                {!key.revoked_at && (
                  <form class="inline" method="post" action={`/dashboard/keys/${key.id}/revoke`}>
                    <Csrf token={csrf} />
                    <button type="submit" class="danger">
                      Revoke
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

export function SettingsPage({ member, csrf, saved }: { member: Member; csrf?: string; saved?: boolean }) {
  return (
    <Layout title="Settings" member={member} csrf={csrf} path="/dashboard/settings">
      <h1>Settings</h1>
      {saved && (
        <p class="notice" role="status">
          Saved.
        </p>
      )}
      <div class="card">
        <h2>Defaults for new requests</h2>
        <form class="stack" method="post" action="/dashboard/settings">
          <Csrf token={csrf} />
          <label>
            Default visibility
            <select name="default_request_visibility">
              {VISIBILITIES.map((v) => (
                <option value={v} selected={v === member.default_request_visibility}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label>
            Default collection (empty: none)
            <input
              type="text"
              name="default_collection_name"
              value={member.default_collection_name ?? ''}
              maxLength={200}
            />
          </label>
          <button type="submit">Save</button>
        </form>
        <p class="muted">
          PUBLIC: anyone, listed on your profile. UNLISTED: anyone with the link. PRIVATE: signed-in members with the
          link. SECRET: only you. A request&apos;s own <code>visibility</code> and <code>collection</code> fields
          override these.
        </p>
      </div>
    </Layout>
  );
}

import type { Member } from '../../db/tables/member.table';
import { Layout } from './render';

export function SignInPage({ csrf, next, error }: { csrf: string; next: string; error?: string }) {
  return (
    <Layout title="Sign in">
      <h1>Sign in</h1>
      {error && (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      <div class="card">
        <form class="stack" method="post" action="/signin">
          <input type="hidden" name="_csrf" value={csrf} />
          <input type="hidden" name="next" value={next} />
          <label>
            API key
            <input type="password" name="key" autocomplete="current-password" placeholder="ic_..." required autofocus />
          </label>
          <button type="submit">Sign in</button>
        </form>
        <p class="muted">
          Your key signs this browser in for 30 days (a cookie that scripts cannot read). The key itself is not kept in
          the browser.
        </p>
      </div>
    </Layout>
  );
}

export function HomePage({ member, csrf }: { member?: Member; csrf?: string }) {
  return (
    <Layout title="Welcome" member={member} csrf={csrf}>
      <h1>inference.club</h1>
      <p>
        An OpenAI-compatible API in front of members&apos; home GPUs. Call <code>/v1</code> with your key, or explore
        the API in the <a href="/docs/api/">API explorer</a>.
      </p>
      <p>{member ? <a href="/dashboard">Open your dashboard</a> : <a href="/signin">Sign in with your API key</a>}</p>
    </Layout>
  );
}

import { createHash } from 'node:crypto';

/**
 * The pages' one stylesheet, served at `/static/site.css` from this module (so it is in dist/ and
 * in the image with the code): no external font, framework or CDN.
 */
export const SITE_CSS = `
:root { color-scheme: light dark; --fg: #1d1f23; --muted: #60646c; --bg: #fafafa; --card: #fff; --line: #e2e4e8;
  --accent: #3b5bdb; --ok: #2b8a3e; --bad: #c92a2a; --warn: #e67700; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e7ea; --muted: #9ba0a8; --bg: #16181c; --card: #1e2126;
  --line: #2e3238; --accent: #91a7ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
header.top { display: flex; gap: 1rem; align-items: center; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); background: var(--card); flex-wrap: wrap; }
header.top .brand { font-weight: 700; text-decoration: none; color: var(--fg); }
header.top nav { display: flex; gap: .9rem; flex-wrap: wrap; flex: 1; }
header.top nav a { text-decoration: none; }
header.top nav a[aria-current="page"] { font-weight: 700; text-decoration: underline; }
main { max-width: 1100px; margin: 0 auto; padding: 1.2rem; }
h1 { font-size: 1.5rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.4rem 0 .6rem; }
.muted { color: var(--muted); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 1rem; }
.grid img, .media img { max-width: 100%; height: auto; border-radius: 6px; display: block; }
.media video { max-width: 100%; border-radius: 6px; }
.media audio { width: 100%; }
table { border-collapse: collapse; width: 100%; background: var(--card); }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
pre, textarea, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
pre { white-space: pre-wrap; word-break: break-word; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .6rem; max-height: 24rem; overflow: auto; }
textarea { width: 100%; min-height: 8rem; }
input, select, textarea, button { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); }
button { cursor: pointer; background: var(--accent); color: #fff; border-color: var(--accent); }
button.secondary { background: var(--card); color: var(--fg); border-color: var(--line); }
button.danger { background: var(--bad); border-color: var(--bad); }
form.inline { display: inline-flex; gap: .4rem; align-items: center; flex-wrap: wrap; margin: 0; }
form.stack { display: grid; gap: .6rem; max-width: 32rem; }
label { display: grid; gap: .2rem; }
.filters { display: flex; gap: .6rem; flex-wrap: wrap; align-items: end; margin-bottom: 1rem; }
.filters label { font-size: .85rem; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: .8rem; border: 1px solid var(--line); }
.status-DONE, .status-PROCESSED, .status-completed { color: var(--ok); }
.status-FAILED, .status-failed, .status-CANCELED, .status-cancelled { color: var(--bad); }
.status-AWAITING, .status-QUEUED, .status-RUNNING, .status-PROCESSING, .status-in_progress { color: var(--warn); }
.notice { border-left: 4px solid var(--accent); padding: .6rem .8rem; background: var(--card); margin-bottom: 1rem; }
.notice.error { border-color: var(--bad); }
.secret { font-size: 1rem; padding: .5rem; background: var(--bg); border: 1px dashed var(--accent); user-select: all; word-break: break-all; }
.preview { max-width: 160px; max-height: 120px; }
.playlist li { margin: .3rem 0; }
.pager { display: flex; gap: 1rem; margin-top: 1rem; }
.steps > li { margin-bottom: .8rem; }
footer { text-align: center; color: var(--muted); font-size: .8rem; padding: 2rem 0; }
`;

/** A content hash, so the stylesheet's URL changes with it and can be cached for good. */
export const SITE_CSS_VERSION = createHash('sha256').update(SITE_CSS).digest('hex').slice(0, 12);
export const SITE_CSS_PATH = `/static/site-${SITE_CSS_VERSION}.css`;

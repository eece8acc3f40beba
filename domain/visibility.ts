/**
 * Who may see what: the one rule every surface asks (API, pages, assets, listings, collections).
 *
 * - PUBLIC: anyone, signed in or not; listed on the owner's public profile.
 * - UNLISTED (the default): anyone holding an unguessable link to it; listed nowhere.
 * - PRIVATE: any signed-in member holding a link to it.
 * - SECRET: its owner only.
 * The owner always sees their own items, whatever the route.
 */
export const VISIBILITIES = ['PUBLIC', 'UNLISTED', 'PRIVATE', 'SECRET'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export const DEFAULT_VISIBILITY: Visibility = 'UNLISTED';

export function isVisibility(value: unknown): value is Visibility {
  return typeof value === 'string' && (VISIBILITIES as readonly string[]).includes(value);
}

/** Who is looking: a signed-in member (by key or session cookie), or nobody (anonymous). */
export type Viewer = { memberId: string } | null;

/** Something that has an owner and a visibility: a request, an asset (its request's), a collection. */
export interface Shareable {
  memberId: string;
  visibility: Visibility;
}

/**
 * How the viewer reached the item:
 * - `id`: by a plain identifier (a request id in `/api/inference/requests/<id>/`, the owner's history);
 * - `link`: by an unguessable capability (a share token, an asset id, a collection the viewer may
 *   see);
 * - `listing`: in a public listing (a member's profile), which shows the same to everyone.
 */
export type Route = 'id' | 'link' | 'listing';

export function canView(viewer: Viewer, item: Shareable, route: Route): boolean {
  const owner = viewer !== null && viewer.memberId === item.memberId;
  if (route === 'listing') return item.visibility === 'PUBLIC';
  if (owner || item.visibility === 'PUBLIC') return true;
  if (route === 'id') return false;
  if (item.visibility === 'UNLISTED') return true;
  if (item.visibility === 'PRIVATE') return viewer !== null;
  return false;
}

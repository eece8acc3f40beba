import { assetsOfRequests } from '../../db/repositories/asset.repository';
import {
  collectionRequestIds,
  collectionsOfRequests,
  findCollectionByToken,
  listCollections,
  type CollectionSummary,
} from '../../db/repositories/collection.repository';
import {
  findHistoryRow,
  findHistoryRowByToken,
  findHistoryRows,
  listHistoryRows,
  listPublicRows,
  type HistoryFilters,
  type HistoryRow,
} from '../../db/repositories/history.repository';
import { findMemberByName } from '../../db/repositories/member.repository';
import type { Collection } from '../../db/tables/collection.table';
import { historyEntry, type HistoryEntry } from '../../domain/history-view';
import { canView, type Viewer, type Visibility } from '../../domain/visibility';
import type { ApiDeps } from '../deps';

type Deps = Pick<ApiDeps, 'db' | 'config'>;

/** Entries of rows, with their assets and collections loaded in three queries. */
export async function historyEntries(deps: Deps, viewer: Viewer, rows: HistoryRow[]): Promise<HistoryEntry[]> {
  const ids = rows.map((r) => r.id);
  const [outputs, inputs, collections] = await Promise.all([
    assetsOfRequests(deps.db, ids),
    assetsOfRequests(deps.db, ids, 'input'),
    collectionsOfRequests(deps.db, ids),
  ]);
  return rows.map((row) =>
    historyEntry(deps.config, row, { outputs, inputs, collections }, viewer?.memberId === row.member_id),
  );
}

const shareable = (row: { member_id: string; visibility: Visibility }) => ({
  memberId: row.member_id,
  visibility: row.visibility,
});

/** A request by id: its owner's, or anyone's when PUBLIC. */
export async function viewRequestById(deps: Deps, viewer: Viewer, id: string): Promise<HistoryEntry | undefined> {
  const row = await findHistoryRow(deps.db, id);
  if (!row || !canView(viewer, shareable(row), 'id')) return undefined;
  return (await historyEntries(deps, viewer, [row]))[0];
}

/** A request by its share link, for whoever its visibility admits now. */
export async function viewSharedRequest(deps: Deps, viewer: Viewer, token: string): Promise<HistoryEntry | undefined> {
  const row = await findHistoryRowByToken(deps.db, token);
  if (!row || !canView(viewer, shareable(row), 'link')) return undefined;
  return (await historyEntries(deps, viewer, [row]))[0];
}

/** The caller's own history, one page. */
export async function listHistory(deps: Deps, memberId: string, filters: HistoryFilters) {
  const rows = await listHistoryRows(deps.db, memberId, filters);
  const data = await historyEntries(deps, { memberId }, rows.slice(0, filters.limit));
  return {
    object: 'list' as const,
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: rows.length > filters.limit,
  };
}

/** A collection as the API shows it to its owner, or as its page shows it to anyone. */
export interface CollectionObject {
  id: string;
  object: 'collection';
  name: string;
  visibility: Visibility;
  share_url: string;
  created_at: number;
  updated_at: number;
  item_count: number;
  owner: { name: string };
}

export interface CollectionView extends CollectionObject {
  /** The items the viewer may see, in playlist order (others are left out, not marked). */
  items: HistoryEntry[];
}

export const collectionUrl = (deps: Deps, token: string) => `${deps.config.api.publicBaseUrl}/c/${token}`;

export function collectionObject(deps: Deps, c: Collection, itemCount: number, ownerName: string): CollectionObject {
  return {
    id: c.id,
    object: 'collection',
    name: c.name,
    visibility: c.visibility,
    share_url: collectionUrl(deps, c.share_token),
    created_at: Math.floor(c.created_at.getTime() / 1000),
    updated_at: Math.floor(c.updated_at.getTime() / 1000),
    item_count: itemCount,
    owner: { name: ownerName },
  };
}

/** The collection's items the viewer may see, in playlist order: privacy item by item. */
export async function collectionView(
  deps: Deps,
  viewer: Viewer,
  collection: Collection,
  ownerName: string,
): Promise<CollectionView> {
  const ids = await collectionRequestIds(deps.db, collection.id);
  const rows = await findHistoryRows(deps.db, ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const visible = ids
    .map((id) => byId.get(id))
    .filter((r): r is HistoryRow => r !== undefined && canView(viewer, shareable(r), 'link'));
  const items = await historyEntries(deps, viewer, visible);
  return { ...collectionObject(deps, collection, items.length, ownerName), items };
}

/** A collection by its link, for whoever its own visibility admits. */
export async function viewCollection(deps: Deps, viewer: Viewer, token: string): Promise<CollectionView | undefined> {
  const collection = await findCollectionByToken(deps.db, token);
  if (!collection || !canView(viewer, shareable(collection), 'link')) return undefined;
  const owner = await deps.db
    .selectFrom('members')
    .select('name')
    .where('id', '=', collection.member_id)
    .executeTakeFirstOrThrow();
  return collectionView(deps, viewer, collection, owner.name);
}

/** The item visibilities a viewer sees inside a collection they may open (for its item count). */
export function countedFor(viewer: Viewer, ownerId: string): Visibility[] {
  if (viewer?.memberId === ownerId) return ['PUBLIC', 'UNLISTED', 'PRIVATE', 'SECRET'];
  return viewer ? ['PUBLIC', 'UNLISTED', 'PRIVATE'] : ['PUBLIC', 'UNLISTED'];
}

export interface ProfileView {
  name: string;
  requests: HistoryEntry[];
  collections: CollectionObject[];
}

/** A member's public profile: their PUBLIC requests and collections; the same for every viewer. */
export async function viewProfile(deps: Deps, viewer: Viewer, name: string): Promise<ProfileView | undefined> {
  if (name.length > 200) return undefined;
  const member = await findMemberByName(deps.db, name);
  if (!member) return undefined;
  const [rows, collections] = await Promise.all([
    listPublicRows(deps.db, member.id, 60),
    listCollections(deps.db, member.id, { visibility: 'PUBLIC', counting: countedFor(viewer, member.id) }),
  ]);
  const listed = rows.filter((r) => canView(viewer, shareable(r), 'listing'));
  return {
    name: member.name,
    requests: await historyEntries(deps, viewer, listed),
    collections: collections
      .filter((c: CollectionSummary) => canView(viewer, shareable(c), 'listing'))
      .map((c) => collectionObject(deps, c, c.item_count, member.name)),
  };
}

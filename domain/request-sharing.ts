import type { Db } from '../db/database';
import { addCollectionItems, getOrCreateCollection } from '../db/repositories/collection.repository';
import type { Member } from '../db/tables/member.table';
import { historyInput } from './history-input';
import { DEFAULT_VISIBILITY, isVisibility, type Visibility } from './visibility';

/** The owner's side of sharing: who they are and their account defaults. */
export type SharingOwner = Pick<Member, 'id' | 'default_request_visibility' | 'default_collection_name'>;

/** What a new request's history row starts with: its visibility and what was asked. */
export interface RequestHistory {
  visibility: Visibility;
  input: Record<string, unknown>;
}

/** The body's own `visibility` (validated by the endpoint's schema), else the owner's default. */
export function visibilityOf(owner: SharingOwner, body: Record<string, unknown>): Visibility {
  if (isVisibility(body.visibility)) return body.visibility;
  return isVisibility(owner.default_request_visibility) ? owner.default_request_visibility : DEFAULT_VISIBILITY;
}

/** The body's own `collection`, else the owner's default collection; null for none. */
export function collectionNameOf(owner: SharingOwner, body: Record<string, unknown>): string | null {
  if (typeof body.collection === 'string' && body.collection.trim() !== '') return body.collection.trim();
  return owner.default_collection_name ?? null;
}

/**
 * Applies sharing to a request about to start: its visibility and input summary for the row, and
 * its place at the end of its collection's playlist (the collection created on first use, with the
 * request's visibility). One database round trip, and only when there is a collection.
 */
export async function shareRequest(
  db: Db,
  owner: SharingOwner,
  body: Record<string, unknown>,
  requestId: string,
): Promise<RequestHistory> {
  const history = requestHistory(owner, body);
  await appendToCollection(db, owner, body, requestId);
  return history;
}

/** Appends the request to its collection (the body's, else the default), created on first use. */
export async function appendToCollection(
  db: Db,
  owner: SharingOwner,
  body: Record<string, unknown>,
  requestId: string,
): Promise<void> {
  const collection = collectionNameOf(owner, body);
  if (collection) await getOrCreateCollection(db, owner.id, collection, visibilityOf(owner, body), requestId);
}

/** A request's visibility and input summary (pure; no collection). */
export function requestHistory(owner: SharingOwner, body: Record<string, unknown>): RequestHistory {
  return { visibility: visibilityOf(owner, body), input: historyInput(body) };
}

/**
 * Appends many requests (a batch's) to their collections, in order: one lookup per distinct name,
 * each collection created on first use with the visibility of its first request.
 */
export async function appendToCollections(
  db: Db,
  owner: SharingOwner,
  requests: { requestId: string; body: Record<string, unknown> }[],
): Promise<void> {
  const byName = new Map<string, { name: string; visibility: Visibility; ids: string[] }>();
  for (const { requestId, body } of requests) {
    const name = collectionNameOf(owner, body);
    if (!name) continue;
    const group = byName.get(name.toLowerCase()) ?? { name, visibility: visibilityOf(owner, body), ids: [] };
    group.ids.push(requestId);
    byName.set(name.toLowerCase(), group);
  }
  for (const group of byName.values()) {
    const { collection } = await getOrCreateCollection(db, owner.id, group.name, group.visibility);
    await addCollectionItems(db, collection.id, group.ids);
  }
}

import { payloadKey } from '../../clients/storage-keys';
import { deleteHistoryRow, findHistoryRow, type HistoryRow } from '../../db/repositories/history.repository';
import { ErrorType } from '../../workflows/errors';
import type { ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { downDependency } from '../http/dependency-errors';

/** The member's own request by id; anyone else's, or a bad id, is the same 404 as a missing one. */
export async function findOwnRequest(db: ApiDeps['db'], memberId: string, id: string): Promise<HistoryRow> {
  const row = await findHistoryRow(db, id);
  if (!row || row.member_id !== memberId) throw new ApiError(ErrorType.NotFound, 'No such request.');
  return row;
}

/**
 * Deletes a finished request of the member's from their history, with its assets' rows, its
 * places in collections and then its bytes. Anyone else's request is the 404 of a missing one; a
 * request still running is a 409 (its workflow would write its row again).
 */
export async function deleteOwnRequest(
  deps: Pick<ApiDeps, 'db' | 'storage' | 'logger'>,
  memberId: string,
  id: string,
): Promise<void> {
  const row = await findOwnRequest(deps.db, memberId, id);
  if (row.status === 'QUEUED' || row.status === 'PROCESSING') {
    throw new ApiError(ErrorType.Conflict, 'This request is still running; cancel it or wait for it to end first.');
  }
  const keys = await deleteHistoryRow(deps.db, memberId, id);
  if (!keys) throw new ApiError(ErrorType.NotFound, 'No such request.');
  // The row is gone; the bytes follow (a failure here leaves unreachable objects, never a broken row).
  await deps.storage.client
    .removeObjects(deps.storage.bucket, [...keys, payloadKey(id, 'request')])
    .catch((err: unknown) => {
      if (!downDependency(err))
        deps.logger.warn('could not remove a deleted request’s objects', { error: String(err) });
    });
}

import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { openFileBytes, putFileBytes, readFileBytes, removeFileBytes } from '../../clients/file-store';
import type { Storage } from '../../clients/storage';
import { fileKey } from '../../clients/storage-keys';
import type { Db } from '../database';
import type { FileRow } from '../tables/file.table';

/** Every purpose a file may have; members upload the first and the last, batches write `batch_output`. */
export const FILE_PURPOSES = ['batch', 'batch_output', 'user_data'] as const;
export type FilePurpose = (typeof FILE_PURPOSES)[number];
/** What `POST /v1/files` accepts. */
export const UPLOAD_PURPOSES = ['batch', 'user_data'] as const;

export const isFilePurpose = (value: unknown): value is FilePurpose =>
  (FILE_PURPOSES as readonly unknown[]).includes(value);

/** OpenAI's file object, as every files endpoint answers it. */
export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  /** Unix seconds. */
  created_at: number;
  filename: string;
  purpose: FilePurpose;
  status: 'processed';
  /** Files are kept until deleted. */
  expires_at: null;
}

export function fileObject(row: FileRow): FileObject {
  return {
    id: row.id,
    object: 'file',
    bytes: Number(row.bytes),
    created_at: Math.floor(row.created_at.getTime() / 1000),
    filename: row.filename,
    purpose: row.purpose as FilePurpose,
    status: 'processed',
    expires_at: null,
  };
}

/** JSONL for the batch purposes (what `GET /v1/files/<id>/content` answers with), raw bytes otherwise. */
export const fileContentType = (purpose: string) =>
  purpose === 'batch' || purpose === 'batch_output' ? 'application/jsonl' : 'application/octet-stream';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ID_CHARS = 24;

/** A new file id: `file-` and 24 random letters and digits (about 143 bits). */
export function newFileId(): string {
  let out = '';
  while (out.length < ID_CHARS) {
    for (const byte of randomBytes(32)) {
      // 248 = 4 × 62: rejecting the bytes above keeps every character equally likely.
      if (byte < 248 && out.length < ID_CHARS) out += ALPHABET[byte % 62];
    }
  }
  return `file-${out}`;
}

/**
 * The same file id for the same seed (`batch_<id>:output`), so an activity that writes a file and is
 * retried writes the same one again instead of a second file.
 */
export function fileIdFor(seed: string): string {
  let n = BigInt(`0x${createHash('sha256').update(seed).digest('hex')}`);
  let out = '';
  for (let i = 0; i < ID_CHARS; i++) {
    out += ALPHABET[Number(n % 62n)];
    n /= 62n;
  }
  return `file-${out}`;
}

/** File ids as newFileId and fileIdFor make them: checked before any query. */
export function isFileId(value: unknown): value is string {
  return typeof value === 'string' && /^file-[A-Za-z0-9]{24}$/.test(value);
}

/** The member's file; another member's, like a malformed id, is simply not found. */
export async function findFile(db: Db, memberId: string, id: string): Promise<FileRow | undefined> {
  if (!isFileId(id)) return undefined;
  return db.selectFrom('files').selectAll().where('member_id', '=', memberId).where('id', '=', id).executeTakeFirst();
}

export interface FileListQuery {
  purpose?: FilePurpose;
  /** 1 to 100. */
  limit: number;
  /** The page starts after this file (its id, as the last one of the previous page). */
  after?: string;
  order: 'asc' | 'desc';
}

/**
 * One page of the member's files by creation time (then id), and whether more follow; `undefined`
 * when `after` is not one of the member's files.
 */
export async function listFiles(
  db: Db,
  memberId: string,
  q: FileListQuery,
): Promise<{ rows: FileRow[]; hasMore: boolean } | undefined> {
  if (q.after !== undefined && !(await findFile(db, memberId, q.after))) return undefined;
  let query = db.selectFrom('files').selectAll().where('member_id', '=', memberId);
  if (q.purpose) query = query.where('purpose', '=', q.purpose);
  if (q.after !== undefined) {
    // Compared in the database: created_at has microseconds, which a JS Date would round away.
    const cursor = sql<boolean>`(select c.created_at, c.id from files c where c.member_id = ${memberId} and c.id = ${q.after})`;
    query = query.where(sql<boolean>`(created_at, id) ${sql.raw(q.order === 'desc' ? '<' : '>')} ${cursor}`);
  }
  const rows = await query
    .orderBy('created_at', (ob) => (q.order === 'desc' ? ob.desc() : ob.asc()))
    .orderBy('id', (ob) => (q.order === 'desc' ? ob.desc() : ob.asc()))
    .limit(q.limit + 1)
    .execute();
  return { rows: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
}

export interface NewFile {
  db: Db;
  storage: Storage;
  memberId: string;
  filename: string;
  purpose: FilePurpose;
  bytes: Buffer;
  /**
   * The file's id (fileIdFor(seed) for an activity, so a retry writes the same file); a new random
   * one when absent. A file already written under this id for this member is returned as it is.
   */
  id?: string;
}

/**
 * Stores the bytes, then writes the row, and returns the file object: the one way a file comes into
 * being, for `POST /v1/files` and for activities (a batch's output and error files). The caller has
 * checked the bytes (a `batch` file with parseBatchJsonl).
 */
export async function createFile({
  db,
  storage,
  memberId,
  filename,
  purpose,
  bytes,
  id,
}: NewFile): Promise<FileObject> {
  const fileId = id ?? newFileId();
  if (!isFileId(fileId)) throw new Error(`'${fileId}' is not a file id (use newFileId or fileIdFor).`);
  if (id !== undefined) {
    const existing = await findFile(db, memberId, fileId);
    if (existing) return fileObject(existing);
  }
  const key = fileKey(memberId, fileId);
  await putFileBytes(storage, key, bytes, fileContentType(purpose));
  await db
    .insertInto('files')
    .values({ id: fileId, member_id: memberId, filename, purpose, bytes: bytes.length, key })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const row = await findFile(db, memberId, fileId);
  if (!row) throw new Error(`File id ${fileId} is taken by another member.`);
  return fileObject(row);
}

/** The member's file and a stream of its bytes; undefined when there is no such file (or no bytes). */
export async function openFile(
  db: Db,
  storage: Storage,
  memberId: string,
  id: string,
): Promise<{ file: FileObject; contentType: string; stream: Readable } | undefined> {
  const row = await findFile(db, memberId, id);
  if (!row) return undefined;
  const stream = await openFileBytes(storage, row.key);
  return stream && { file: fileObject(row), contentType: fileContentType(row.purpose), stream };
}

/** The member's file with its bytes in memory (a batch's input file); undefined when there is none. */
export async function readFile(
  db: Db,
  storage: Storage,
  memberId: string,
  id: string,
): Promise<{ file: FileObject; bytes: Buffer } | undefined> {
  const row = await findFile(db, memberId, id);
  if (!row) return undefined;
  const bytes = await readFileBytes(storage, row.key);
  return bytes && { file: fileObject(row), bytes };
}

/**
 * Deletes the member's file: the row first (the file is gone for every reader at once), then its
 * bytes. False when there is no such file. Bytes left behind by a storage failure cost only space:
 * `onOrphan` hears of them.
 */
export async function deleteFile(
  db: Db,
  storage: Storage,
  memberId: string,
  id: string,
  onOrphan: (key: string, err: unknown) => void = () => undefined,
): Promise<boolean> {
  if (!isFileId(id)) return false;
  const row = await db
    .deleteFrom('files')
    .where('member_id', '=', memberId)
    .where('id', '=', id)
    .returning(['key'])
    .executeTakeFirst();
  if (!row) return false;
  await removeFileBytes(storage, row.key).catch((err: unknown) => onOrphan(row.key, err));
  return true;
}

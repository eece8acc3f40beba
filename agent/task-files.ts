import type { TaskFile } from '../workflows/agent-protocol';
import type { FilePart } from './multipart-body';
import { getBytes } from './presigned';
import { TaskFailure } from './task-failure';

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Fetches every input of a task through its presigned GET URL. */
export function downloadFiles(files: TaskFile[], signal: AbortSignal): Promise<FilePart[]> {
  return Promise.all(
    files.map(async (file) => ({
      field: file.field,
      filename: file.filename,
      contentType: file.contentType,
      data: await getBytes(file.url, `input '${file.field}' (${file.filename})`, signal),
    })),
  );
}

/**
 * A copy of `body` with each file's URL at the dotted path its `field` names
 * (`speakers.S1` → body.speakers.S1): JSON servers such as Dia fetch the sample themselves.
 * The task's own body stays untouched so a retry starts from the same input.
 */
export function withFileUrls(body: Record<string, unknown>, files: TaskFile[]): Record<string, unknown> {
  const copy = structuredClone(body);
  for (const file of files) {
    const path = file.field.split('.');
    if (path.some((key) => key === '' || UNSAFE_KEYS.has(key))) {
      throw new TaskFailure('invalid_request_error', `input field '${file.field}' is not a usable body path`);
    }
    let node = copy;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = file.url;
  }
  return copy;
}

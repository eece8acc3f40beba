/** A single satisfiable byte range, `'unsatisfiable'`, or null to serve the whole object. */
export type ByteRange = { start: number; end: number } | 'unsatisfiable' | null;

/**
 * Parses an HTTP Range header against an object of `size` bytes (RFC 9110 14.1.2). Several
 * ranges at once are answered with the whole object, which the RFC allows.
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first, last] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

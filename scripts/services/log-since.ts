import fs from 'node:fs';

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0; // No log yet: everything in it will be new.
  }
}

/**
 * A reader of what gets appended to a log file from now on. Readiness lines must come from this start:
 * a persistent log already holds the previous runs' "serving" lines. Only the new part is read, as a
 * long-lived stack's logs grow large.
 */
export function logSince(file: string): () => string {
  const offset = sizeOf(file);
  return () => {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return '';
    }
    try {
      const length = Math.max(0, fs.fstatSync(fd).size - offset);
      const buffer = Buffer.alloc(length);
      const read = fs.readSync(fd, buffer, 0, length, offset);
      return buffer.subarray(0, read).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  };
}

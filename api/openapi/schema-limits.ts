/** Limits the document states in words, next to the schemas that enforce the rest. */
export const SCHEMA_LIMITS = {
  upload: 'Each file up to 25 MB; the bytes decide the type, not the name.',
} as const;

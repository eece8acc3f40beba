/** Platform fields a client may add to any body; the provider never sees them. */
export const PLATFORM_FIELDS = ['visibility', 'collection', 'async', 'webhook'] as const;

export function stripPlatformFields(body: Record<string, unknown>): Record<string, unknown> {
  const forwarded = { ...body };
  for (const field of PLATFORM_FIELDS) delete forwarded[field];
  return forwarded;
}

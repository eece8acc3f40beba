/** Where a request's bytes live in the bucket; one prefix per request keeps cleanup simple. */
export const inputKey = (requestId: string, name: string) => `inputs/${requestId}/${name.replace(/[^\w.-]/g, '_')}`;
export const outputKey = (requestId: string, index: number) => `outputs/${requestId}/${index}`;
export const voiceSampleKey = (memberId: string, id: string) => `voice-samples/${memberId}/${id}`;
/** A file of the Files API (`file-...`), under its owner. */
export const fileKey = (memberId: string, fileId: string) => `files/${memberId}/${fileId}`;
/** Request bodies and answers too large for a workflow payload (see payload-store.ts). */
export const payloadKey = (requestId: string, name: 'request' | 'result') => `payloads/${requestId}/${name}.json`;

/** Presigned URLs outlive the longest task, so a slow provider never finds its URL expired. */
export const PRESIGN_SECONDS = 2 * 60 * 60;

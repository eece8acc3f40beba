/** Where a request's bytes live in the bucket; one prefix per request keeps cleanup simple. */
export const inputKey = (requestId: string, field: string) => `inputs/${requestId}/${field.replace(/[^\w.-]/g, '_')}`;
export const outputKey = (requestId: string, index: number) => `outputs/${requestId}/${index}`;
export const voiceSampleKey = (memberId: string, id: string) => `voice-samples/${memberId}/${id}`;

/** Presigned URLs outlive the longest task, so a slow provider never finds its URL expired. */
export const PRESIGN_SECONDS = 2 * 60 * 60;

/** A downloaded input, ready to be sent as a multipart file field. */
export interface FilePart {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/**
 * The multipart/form-data equivalent of a JSON body, as OpenAI's form endpoints (image edits,
 * transcriptions) take it: arrays become repeated `key[]` fields, scalars their string form.
 */
export function multipartBody(body: Record<string, unknown>, files: FilePart[]): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) {
      const name = key.endsWith('[]') ? key : `${key}[]`;
      for (const item of value) if (item !== null && item !== undefined) form.append(name, fieldText(item));
    } else {
      form.append(key, fieldText(value));
    }
  }
  for (const file of files) {
    form.append(file.field, new Blob([file.data], { type: file.contentType }), file.filename);
  }
  return form;
}

function fieldText(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

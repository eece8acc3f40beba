import { readFile } from '../../db/repositories/file.repository';
import {
  BATCH_ENDPOINTS,
  describeBatchProblems,
  parseBatchJsonl,
  type BatchEndpoint,
} from '../../workflows/batch-jsonl';
import type { ApiDeps } from '../deps';
import { ApiError, badRequest } from '../http/api-error';
import { jsonCall } from '../inference/json-calls';
import type { InferenceCall } from '../inference/run-call';
import { ErrorType } from '../../workflows/errors';

/** The most requests one batch may hold. */
export const MAX_BATCH_ITEMS = 256;

export interface BatchItem {
  customId: string;
  endpoint: BatchEndpoint;
  call: InferenceCall;
}

/** `POST /v1/batches`, validated by its schema: inline requests, or OpenAI's input file. */
export interface BatchRequest {
  requests?: { custom_id: string; method: 'POST'; url: string; body: Record<string, unknown> }[];
  input_file_id?: string;
  endpoint?: string;
  completion_window?: string;
  metadata?: Record<string, string> | null;
}

/**
 * Every item of a batch as an inference call, or ONE 400 listing every bad item (by index or line,
 * with its field): `requests[17].body.model: Missing required field 'model'.` Nothing starts
 * unless every item is good.
 */
export async function batchItems(deps: ApiDeps, memberId: string, req: BatchRequest): Promise<BatchItem[]> {
  const raw = req.requests ? inlineItems(req.requests) : await fileItems(deps, memberId, req);
  const problems: string[] = [];
  const items: BatchItem[] = [];
  raw.forEach((item) => {
    try {
      if (item.body.stream === true) throw badRequest('a batch request cannot stream', { param: 'stream' });
      items.push({ customId: item.customId, endpoint: item.endpoint, call: jsonCall(item.endpoint, item.body) });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const field = err.param ? `.body.${err.param}` : '.body';
      problems.push(`${item.where}${field}: ${err.message}`);
    }
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 50);
    const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
    throw badRequest(`${problems.length} of the batch's requests are invalid: ${shown.join('; ')}${more}.`, {
      param: req.requests ? 'requests' : 'input_file_id',
      code: 'invalid_batch_request',
    });
  }
  return items;
}

interface RawItem {
  where: string;
  customId: string;
  endpoint: BatchEndpoint;
  body: Record<string, unknown>;
}

function inlineItems(requests: NonNullable<BatchRequest['requests']>): RawItem[] {
  if (requests.length > MAX_BATCH_ITEMS) {
    throw badRequest(`A batch holds at most ${MAX_BATCH_ITEMS} requests; this one has ${requests.length}.`, {
      param: 'requests',
    });
  }
  const seen = new Map<string, number>();
  const problems: string[] = [];
  requests.forEach((r, i) => {
    const first = seen.get(r.custom_id);
    if (first !== undefined) problems.push(`requests[${i}].custom_id: '${r.custom_id}' repeats requests[${first}]`);
    else seen.set(r.custom_id, i);
    if (!(BATCH_ENDPOINTS as readonly string[]).includes(r.url)) {
      problems.push(`requests[${i}].url: must be one of ${BATCH_ENDPOINTS.join(', ')}`);
    }
  });
  if (problems.length > 0) {
    throw badRequest(`The batch's requests have ${problems.length} problems: ${problems.join('; ')}.`, {
      param: 'requests',
    });
  }
  return requests.map((r, i) => ({
    where: `requests[${i}]`,
    customId: r.custom_id,
    endpoint: r.url as BatchEndpoint,
    body: r.body,
  }));
}

async function fileItems(deps: ApiDeps, memberId: string, req: BatchRequest): Promise<RawItem[]> {
  const file = await readFile(deps.db, deps.storage, memberId, String(req.input_file_id));
  if (!file)
    throw new ApiError(ErrorType.NotFound, `No file '${req.input_file_id}' on your account.`, {
      param: 'input_file_id',
    });
  if (file.file.purpose !== 'batch') {
    throw badRequest(`File '${req.input_file_id}' was uploaded with purpose '${file.file.purpose}', not 'batch'.`, {
      param: 'input_file_id',
    });
  }
  const parsed = parseBatchJsonl(file.bytes, { endpoint: req.endpoint, maxRequests: MAX_BATCH_ITEMS });
  if (!parsed.ok) {
    throw badRequest(describeBatchProblems(parsed), { param: 'input_file_id', code: 'invalid_batch_file' });
  }
  return parsed.items.map((line) => ({
    where: `line ${line.line}`,
    customId: line.custom_id,
    endpoint: line.url,
    body: line.body,
  }));
}

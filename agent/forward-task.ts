import type { AgentTask, ProviderTaskResult } from '../workflows/agent-protocol';
import type { Usage } from '../workflows/inference-contract';
import { multipartBody } from './multipart-body';
import { TaskFailure } from './task-failure';
import { downloadFiles, withFileUrls } from './task-files';
import { storeImageOutputs, storeRawOutput } from './task-outputs';
import { callUpstream, type UpstreamMap } from './upstream';

/** A task's outcome: an SSE body still to relay, or the finished result. */
export type Forwarded = { stream: ReadableStream<Uint8Array>; status: number } | { result: ProviderTaskResult };

/**
 * Runs one task against the member's local server: fetches its inputs, sends them as the
 * endpoint expects, stores binary outputs through the task's presigned URLs and shapes the
 * result. Every request uses `signal`, so cancelling the task stops all of its I/O.
 * Throws a {@link TaskFailure} for anything the platform should hear about.
 */
export async function forwardTask(upstreams: UpstreamMap, task: AgentTask, signal: AbortSignal): Promise<Forwarded> {
  const res = await callUpstream(upstreams, task, await requestBody(task, signal), signal);
  if (!res.ok) {
    throw new TaskFailure('upstream_error', upstreamMessage(res.status, await res.text()), res.status);
  }
  if (task.stream && res.body && (res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return { stream: res.body, status: res.status };
  }
  const outputs = task.outputs;
  if (outputs?.mode === 'raw') {
    return { result: { status: res.status, outputs: await storeRawOutput(res, outputs.urls, signal) } };
  }
  const body = await readAnswer(res);
  const usage = usageOf(body);
  if (outputs?.mode === 'b64_json') {
    const stored = await storeImageOutputs(body, outputs.urls, signal);
    return { result: { status: res.status, body: stored.body, usage, outputs: stored.outputs } };
  }
  return { result: { status: res.status, body, usage } };
}

async function requestBody(task: AgentTask, signal: AbortSignal): Promise<Record<string, unknown> | FormData> {
  const files = task.files ?? [];
  if (task.encoding === 'multipart') return multipartBody(task.body, await downloadFiles(files, signal));
  return files.length > 0 ? withFileUrls(task.body, files) : task.body;
}

/** JSON when the server says so (or says nothing and it parses), else the text itself. */
async function readAnswer(res: Response): Promise<unknown> {
  const type = (res.headers.get('content-type') ?? '').toLowerCase();
  const text = await res.text();
  if (type.startsWith('text/')) return text;
  return parseJson(text);
}

function usageOf(body: unknown): Usage | undefined {
  const usage = (body as { usage?: unknown } | null)?.usage;
  return typeof usage === 'object' && usage !== null && !Array.isArray(usage) ? (usage as Usage) : undefined;
}

function upstreamMessage(status: number, text: string): string {
  const parsed = parseJson(text) as { error?: { message?: string } } | undefined;
  return `local server answered ${status}: ${parsed?.error?.message ?? text.slice(0, 500)}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

import type { AgentTask } from '../workflows/agent-protocol';
import { advertisedModels, type SkipNotice } from './advertised-models';
import { send } from './http-transport';
import type { AdvertisedModel } from './agent-api';
import { TaskFailure } from './task-failure';

/** The member's local model servers, by service type, e.g. { llm: 'http://127.0.0.1:11434/v1' }. */
export type UpstreamMap = Partial<Record<string, string>> & { default: string };

/** The local server could not be reached at all, so another provider may still answer. */
export class UpstreamUnreachable extends TaskFailure {
  constructor(message: string) {
    super('upstream_unreachable', message);
  }
}

/** POSTs a prepared body (JSON, or form data for multipart endpoints) to the task's local server. */
export async function callUpstream(
  upstreams: UpstreamMap,
  task: AgentTask,
  body: Record<string, unknown> | FormData,
  signal: AbortSignal,
): Promise<Response> {
  const base = baseOf(upstreams[task.serviceType] ?? upstreams.default);
  // fetch writes the multipart content type itself, boundary included.
  const headers: Record<string, string> = { accept: acceptFor(task) };
  if (!(body instanceof FormData)) headers['content-type'] = 'application/json';
  try {
    return await send(`${base}${task.endpoint}`, {
      method: 'POST',
      headers,
      body: body instanceof FormData ? body : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new UpstreamUnreachable(
      `local server at ${base} is unreachable: ${String((err as Error).cause ?? (err as Error).message)}`,
    );
  }
}

/** Lists the local server's models for the heartbeat, as text models unless it says otherwise. */
export async function discoverModels(baseUrl: string, onSkip?: SkipNotice): Promise<AdvertisedModel[]> {
  const base = baseOf(baseUrl);
  const res = await send(`${base}/v1/models`);
  if (!res.ok) throw new Error(`GET ${base}/v1/models answered ${res.status}`);
  const list = (await res.json()) as { data?: unknown };
  return advertisedModels(list.data ?? [], onSkip);
}

function baseOf(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

function acceptFor(task: AgentTask): string {
  if (task.stream) return 'text/event-stream';
  // Media servers answer with the file itself; transcriptions may answer text/plain.
  if (task.outputs?.mode === 'raw') return '*/*';
  return task.serviceType === 'llm' ? 'application/json' : 'application/json, text/plain;q=0.9, */*;q=0.8';
}

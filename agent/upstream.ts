import type { ProviderTask } from '../workflows/definitions';

/** The member's local model servers, by service type, e.g. { llm: 'http://127.0.0.1:11434/v1' }. */
export type UpstreamMap = Partial<Record<string, string>> & { default: string };

export class UpstreamUnreachable extends Error {}

/** Forwards a task's body unchanged to the member's local OpenAI-compatible server. */
export async function callUpstream(upstreams: UpstreamMap, task: ProviderTask, signal: AbortSignal): Promise<Response> {
  const base = (upstreams[task.serviceType] ?? upstreams.default).replace(/\/+$/, '').replace(/\/v1$/, '');
  try {
    return await fetch(`${base}${task.endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: task.stream ? 'text/event-stream' : 'application/json' },
      body: JSON.stringify(task.body),
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new UpstreamUnreachable(
      `local server at ${base} is unreachable: ${(err as Error).cause ?? (err as Error).message}`,
    );
  }
}

/** Lists the local server's models for the heartbeat, as text models unless it says otherwise. */
export async function discoverModels(baseUrl: string): Promise<{ id: string; service_type: string }[]> {
  const base = baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  const res = await fetch(`${base}/v1/models`);
  if (!res.ok) throw new Error(`GET ${base}/v1/models answered ${res.status}`);
  const list = (await res.json()) as { data?: Record<string, unknown>[] };
  return (list.data ?? []).map((m) => ({
    ...m,
    id: String(m.id),
    service_type: typeof m.service_type === 'string' ? m.service_type : 'llm',
  }));
}

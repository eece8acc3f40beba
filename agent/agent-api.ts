import type {
  AdvertisedModel,
  AgentHeartbeat,
  AgentTaskFailure,
  HeartbeatAnswer,
  PolledTask,
  ProviderTaskResult,
} from '../workflows/agent-protocol';
import { send } from './http-transport';

export type { AdvertisedModel, PolledTask };

export class AgentApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The agent's side of the gateway protocol: everything it says to the platform API. */
export class AgentApi {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
  ) {}

  async heartbeat(body: AgentHeartbeat): Promise<HeartbeatAnswer> {
    return (await this.json('POST', '/api/inference/agent/heartbeat/', body)) as HeartbeatAnswer;
  }

  /** Long-polls for a task; null when the poll expired empty. */
  async poll(providerId: string, signal: AbortSignal): Promise<PolledTask | null> {
    const res = await send(`${this.baseUrl}/api/inference/agent/tasks?provider_id=${encodeURIComponent(providerId)}`, {
      headers: this.headers(),
      signal,
    });
    if (res.status === 204) return null;
    if (!res.ok) throw new AgentApiError(res.status, await res.text());
    return (await res.json()) as PolledTask;
  }

  async taskHeartbeat(token: string): Promise<{ cancel_requested: boolean }> {
    return (await this.json('POST', `/api/inference/agent/tasks/${token}/heartbeat`, {})) as {
      cancel_requested: boolean;
    };
  }

  async complete(token: string, result: ProviderTaskResult): Promise<void> {
    await this.json('POST', `/api/inference/agent/tasks/${token}/complete`, result);
  }

  async fail(token: string, failure: AgentTaskFailure): Promise<void> {
    await this.json('POST', `/api/inference/agent/tasks/${token}/fail`, failure);
  }

  /** Sends an upstream stream body to the client as it arrives; resolves when the client has it all. */
  async stream(token: string, body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
    const res = await send(`${this.baseUrl}/api/inference/agent/tasks/${token}/stream`, {
      method: 'POST',
      headers: { ...this.headers(), 'content-type': 'text/event-stream' },
      body,
      signal,
    });
    const text = await res.text();
    if (!res.ok) throw new AgentApiError(res.status, text);
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.key}` };
  }

  private async json(method: string, path: string, body: unknown): Promise<unknown> {
    const res = await send(`${this.baseUrl}${path}`, {
      method,
      headers: { ...this.headers(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new AgentApiError(res.status, text);
    return text ? JSON.parse(text) : undefined;
  }
}

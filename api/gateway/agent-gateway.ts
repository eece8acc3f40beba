import { status } from '@grpc/grpc-js';
import { ActivityCancelledError, ActivityNotFoundError, type Client, type Connection } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { providerTaskQueue, type ProviderTask, type ProviderTaskResult } from '../../workflows/definitions';
import { AgentFailoverType, ErrorType } from '../../workflows/errors';
import { ApiError } from '../http/api-error';
import { signTaskToken, type TaskClaims } from './task-token';

export interface AgentTask {
  token: string;
  workflow_id: string;
  attempt: number;
  heartbeat_timeout_ms: number;
  task: ProviderTask;
}

export interface AgentFailure {
  type: string;
  message: string;
  status?: number;
}

/**
 * Answers agents on Temporal's behalf: agents never reach Temporal, the gateway polls the one
 * `provider.<id>` queue an agent owns and relays its completions, failures and heartbeats.
 */
export class AgentGateway {
  constructor(
    /** grpc-js: an agent that leaves aborts its poll (see TemporalClients). */
    private readonly connection: Connection,
    private readonly client: Client,
    private readonly namespace: string,
    private readonly secret: string,
    /** The server answers an empty poll shortly before this deadline. */
    private readonly pollMs: number,
  ) {}

  /**
   * Long-polls the provider's queue; null when the server's poll expires with no task or the agent
   * left (`signal`). A poll the API's own shutdown cancels is a 503: the agent polls again elsewhere.
   */
  async poll(memberId: string, providerId: string, identity: string, signal: AbortSignal): Promise<AgentTask | null> {
    // The client's cancel hook only fires for an abort after the call began.
    if (signal.aborted) return null;
    let response: temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse;
    try {
      response = await this.connection.withAbortSignal(signal, () =>
        this.connection.withDeadline(Date.now() + this.pollMs, () =>
          this.connection.workflowService.pollActivityTaskQueue({
            namespace: this.namespace,
            taskQueue: {
              name: providerTaskQueue(providerId),
              kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
            },
            identity,
          }),
        ),
      );
    } catch (err) {
      if (signal.aborted) return null;
      if ((err as { code?: unknown }).code === status.CANCELLED) {
        throw new ApiError(ErrorType.Unavailable, 'This API server is shutting down; poll again.');
      }
      throw err;
    }
    if (!response.taskToken || response.taskToken.length === 0) return null;
    const payload = response.input?.payloads?.[0];
    const task = payload ? defaultPayloadConverter.fromPayload<ProviderTask>(payload) : undefined;
    const claims: TaskClaims = { m: memberId, p: providerId, t: Buffer.from(response.taskToken).toString('base64') };
    if (!task) {
      await this.fail(claims, { type: 'invalid_request_error', message: 'task without input' });
      return null;
    }
    if (task.stream) claims.s = task.stream;
    const workflowId = response.workflowExecution?.workflowId ?? '';
    if (task.reply) Object.assign(claims, { r: task.reply, w: workflowId });
    return {
      token: signTaskToken(claims, this.secret),
      workflow_id: workflowId,
      attempt: response.attempt ?? 1,
      heartbeat_timeout_ms: durationMs(response.heartbeatTimeout),
      task,
    };
  }

  async complete(claims: TaskClaims, result: ProviderTaskResult): Promise<void> {
    await this.client.activity.complete(taskToken(claims), result);
  }

  /** Stops a request whose client already has its answer (one Temporal refused as too late). */
  async cancelAnswered(claims: TaskClaims): Promise<void> {
    if (!claims.w) return;
    await this.client.workflow.getHandle(claims.w).cancel();
  }

  async fail(claims: TaskClaims, failure: AgentFailure): Promise<void> {
    const err = ApplicationFailure.create({
      type: failure.type,
      message: failure.message,
      details: failure.status ? [{ status: failure.status }] : undefined,
      nonRetryable: true,
    });
    await this.client.activity.fail(taskToken(claims), err);
  }

  /** Hands back a task whose agent vanished before receiving it, so the workflow fails over at once. */
  async handBack(claims: TaskClaims): Promise<void> {
    await this.fail(claims, {
      type: AgentFailoverType.Disconnected,
      message: 'agent disconnected before receiving the task',
    });
  }

  /** Records a heartbeat; true when the workflow no longer wants the result (cancelled or gone). */
  async heartbeat(claims: TaskClaims, details?: unknown): Promise<boolean> {
    try {
      await this.client.activity.heartbeat(taskToken(claims), details);
      return false;
    } catch (err) {
      if (err instanceof ActivityCancelledError || err instanceof ActivityNotFoundError) return true;
      throw err;
    }
  }
}

function taskToken(claims: TaskClaims): Uint8Array {
  return Buffer.from(claims.t, 'base64');
}

function durationMs(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!d) return 0;
  return Number(d.seconds ?? 0) * 1000 + Math.round((d.nanos ?? 0) / 1e6);
}

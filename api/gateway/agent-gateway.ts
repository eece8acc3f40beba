import { answerText } from '../../workflows/answer-text';
import { status } from '@grpc/grpc-js';
import { ActivityCancelledError, ActivityNotFoundError, type Client, type Connection } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { getPayload, inlineOrStored, storePayload } from '../../clients/payload-store';
import type { Storage } from '../../clients/storage';
import { payloadKey } from '../../clients/storage-keys';
import {
  providerTaskQueue,
  type AgentTask,
  type AgentTaskFailure,
  type PolledTask,
  type ProviderTask,
  type ProviderTaskResult,
} from '../../workflows/agent-protocol';
import { AgentFailoverType, AgentStorageFailureType, ErrorType } from '../../workflows/errors';
import { ApiError } from '../http/api-error';
import { signTaskToken, type TaskClaims } from './task-token';

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
    /** Where bodies and answers too large for a workflow payload are kept. */
    private readonly storage: Storage,
  ) {}

  /**
   * Long-polls the provider's queue; null when the server's poll expires with no task or the agent
   * left (`signal`). A poll the API's own shutdown cancels is a 503: the agent polls again elsewhere.
   */
  async poll(
    memberId: string,
    providerId: string,
    identity: string,
    signal: AbortSignal,
    shutdown: AbortSignal,
  ): Promise<PolledTask | null> {
    // The client's cancel hook only fires for an abort after the call began.
    if (signal.aborted) return null;
    if (shutdown.aborted) throw shuttingDown();
    let response: temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse;
    try {
      response = await this.connection.withAbortSignal(AbortSignal.any([signal, shutdown]), () =>
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
      if (shutdown.aborted || (err as { code?: unknown }).code === status.CANCELLED) throw shuttingDown();
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
    claims.q = task.requestId;
    if (task.storeAnswer) claims.k = 1;
    if (task.stream) claims.s = task.stream;
    const workflowId = response.workflowExecution?.workflowId ?? '';
    if (task.reply) Object.assign(claims, { r: task.reply, w: workflowId });
    const agentTask = await this.forAgent(task).catch(() => undefined);
    if (!agentTask) {
      await this.fail(claims, { type: AgentStorageFailureType, message: 'the request body could not be read back' });
      return null;
    }
    return {
      token: signTaskToken(claims, this.secret),
      workflow_id: workflowId,
      attempt: response.attempt ?? 1,
      heartbeat_timeout_ms: durationMs(response.heartbeatTimeout),
      task: agentTask,
    };
  }

  /**
   * The task as an agent sees it: a stored body read back inline, and whether to stream instead of
   * where this API's replicas listen (those addresses stay inside the platform, in the signed token).
   */
  private async forAgent(task: ProviderTask): Promise<AgentTask> {
    const body = task.bodyRef ? await getPayload<Record<string, unknown>>(this.storage, task.bodyRef) : task.body;
    return {
      requestId: task.requestId,
      serviceType: task.serviceType,
      endpoint: task.endpoint,
      body: body ?? {},
      stream: task.stream !== null,
      ...(task.files && { files: task.files }),
      ...(task.encoding && { encoding: task.encoding }),
      ...(task.outputs && { outputs: task.outputs }),
    };
  }

  /**
   * Reports an agent's answer to Temporal; one too large for a workflow payload is stored first and
   * travels as a reference. Storage failing here fails the task as the platform's fault (503).
   */
  async complete(claims: TaskClaims, result: ProviderTaskResult): Promise<void> {
    let reported: ProviderTaskResult = result;
    if (result.body !== undefined && claims.q) {
      const key = payloadKey(claims.q, 'result');
      const stored = await (
        claims.k ? storePayload(this.storage, key, result.body) : inlineOrStored(this.storage, key, result.body)
      ).catch(() => undefined);
      if (!stored) {
        await this.fail(claims, { type: AgentStorageFailureType, message: 'the answer could not be stored' });
        return;
      }
      if (stored.ref) {
        // The history keeps the answer's text; taken here, it needs no read of the stored answer later.
        const text = answerText(result.body);
        reported = { ...result, body: undefined, bodyRef: stored.ref, ...(text !== undefined && { text }) };
      }
    }
    await this.client.activity.complete(taskToken(claims), reported);
  }

  /** Stops a request whose client already has its answer (one Temporal refused as too late). */
  async cancelAnswered(claims: TaskClaims): Promise<void> {
    if (!claims.w) return;
    await this.client.workflow.getHandle(claims.w).cancel();
  }

  async fail(claims: TaskClaims, failure: Omit<AgentTaskFailure, 'type'> & { type: string }): Promise<void> {
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

const shuttingDown = () =>
  new ApiError(ErrorType.Unavailable, 'This API server is shutting down; poll again.', {
    headers: { 'retry-after': '1' },
  });

function taskToken(claims: TaskClaims): Uint8Array {
  return Buffer.from(claims.t, 'base64');
}

function durationMs(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!d) return 0;
  return Number(d.seconds ?? 0) * 1000 + Math.round((d.nanos ?? 0) / 1e6);
}

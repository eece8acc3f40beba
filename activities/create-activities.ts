import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../config/config';
import type { Db } from '../db/database';
import { findCandidates } from '../db/repositories/provider.repository';
import {
  finishRequest,
  insertRequest,
  recordAttempt,
  type RequestOutcome,
} from '../db/repositories/request.repository';
import type { DispatchSettings } from '../workflows/definitions';
import { ErrorType } from '../workflows/errors';

export interface ActivityDeps {
  db: Db;
  config: Pick<Config, 'dispatch'>;
}

export interface ResolveInput {
  requestId: string;
  /** Providers already tried for this request; empty on the first call. */
  exclude: string[];
  memberId: string;
  kind: string;
  model: string;
  serviceType: string;
  workflowId: string;
}

export interface ResolvePlan {
  providerIds: string[];
  dispatch: DispatchSettings;
}

/** The platform's activities, built once per worker from the clients they need. */
export function createActivities({ db, config }: ActivityDeps) {
  const dispatch: DispatchSettings = {
    pickupTimeoutMs: config.dispatch.pickupTimeoutMs,
    heartbeatTimeoutMs: config.dispatch.taskHeartbeatTimeoutMs,
    taskTimeoutMs: config.dispatch.taskTimeoutMs,
  };

  return {
    /**
     * Orders the providers that may serve this request and records the request in one step,
     * so the synchronous path pays a single database round trip before dispatch.
     */
    async resolveProviders(input: ResolveInput): Promise<ResolvePlan> {
      const all = await findCandidates(db, input.memberId, input.model, config.dispatch.onlineSeconds);
      const matching = all.filter((c) => c.serviceType === input.serviceType && !input.exclude.includes(c.providerId));
      if (input.exclude.length > 0) {
        // A failover: the request is recorded already; the workflow decides what "none left" means.
        if (matching.length > 0) await recordAttempt(db, input.requestId, matching[0].providerId);
        return { providerIds: matching.map((c) => c.providerId), dispatch };
      }
      const row = {
        id: input.requestId,
        memberId: input.memberId,
        kind: input.kind,
        model: input.model,
        serviceType: input.serviceType,
        workflowId: input.workflowId,
      };
      if (matching.length === 0) {
        const failure =
          all.length > 0
            ? ApplicationFailure.create({
                type: ErrorType.WrongServiceType,
                message: `Model '${input.model}' is a ${all[0].serviceType} model; this endpoint needs a ${input.serviceType} model.`,
                nonRetryable: true,
              })
            : ApplicationFailure.create({
                type: ErrorType.NoProvider,
                message: `No online provider serving model '${input.model}' for this user.`,
                nonRetryable: true,
              });
        await insertRequest(db, { ...row, providerId: null }, 'FAILED');
        await finishRequest(db, input.requestId, {
          status: 'FAILED',
          errorType: failure.type ?? undefined,
          errorMessage: failure.message,
        });
        throw failure;
      }
      await insertRequest(db, { ...row, providerId: matching[0].providerId }, 'PROCESSING');
      return { providerIds: matching.map((c) => c.providerId), dispatch };
    },

    async finishRequest(input: { requestId: string; outcome: RequestOutcome }): Promise<void> {
      await finishRequest(db, input.requestId, input.outcome);
    },
  };
}

export type PlatformActivities = ReturnType<typeof createActivities>;

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
import type { Storage } from '../clients/storage';
import { createMediaActivities } from './media-activities';
import { ErrorType } from '../workflows/errors';

export interface ActivityDeps {
  db: Db;
  storage: Storage;
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
  requiredFeatures: string[];
}

export interface ResolvePlan {
  providerIds: string[];
  dispatch: DispatchSettings;
}

/** The platform's activities, built once per worker from the clients they need. */
export function createActivities({ db, storage, config }: ActivityDeps) {
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
      const ofType = all.filter((c) => c.serviceType === input.serviceType);
      const capable = ofType.filter((c) => input.requiredFeatures.every((f) => c.features.includes(f)));
      const matching = capable.filter((c) => !input.exclude.includes(c.providerId));
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
        const failure = refusal(input, all[0]?.serviceType, ofType.length > 0);
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

    ...createMediaActivities({ db, storage }),
  };
}

/** Why no provider can take the request: unknown model, wrong kind of model, or a missing feature. */
function refusal(input: ResolveInput, servedAs: string | undefined, rightType: boolean): ApplicationFailure {
  const fail = (type: ErrorType, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });
  if (!servedAs) return fail(ErrorType.NoProvider, `No online provider serving model '${input.model}' for this user.`);
  if (!rightType) {
    return fail(
      ErrorType.WrongServiceType,
      `Model '${input.model}' is ${article(servedAs)} ${servedAs} model; this endpoint needs ${article(input.serviceType)} ${input.serviceType} model.`,
    );
  }
  const features = input.requiredFeatures.map((f) => `'${f}'`).join(', ');
  return fail(ErrorType.InvalidRequest, `Model '${input.model}' does not support ${features}.`);
}

export type PlatformActivities = ReturnType<typeof createActivities>;

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

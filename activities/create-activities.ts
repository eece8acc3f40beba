import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../config/config';
import type { Db } from '../db/database';
import { findCandidates } from '../db/repositories/provider.repository';
import {
  finishRequest,
  recordAttempt,
  type NewRequest,
  type RequestOutcome,
} from '../db/repositories/request.repository';
import type { DispatchSettings } from '../workflows/definitions';
import type { Storage } from '../clients/storage';
import { createMediaActivities } from './media-activities';
import { RequestRecords } from './request-records';
import { ErrorType } from '../workflows/errors';

export interface ActivityDeps {
  db: Db;
  storage: Storage;
  config: Pick<Config, 'dispatch'>;
}

/** What every request row says about the request, whatever its outcome. */
export interface RequestRecord {
  requestId: string;
  memberId: string;
  kind: string;
  model: string;
  serviceType: string;
  workflowId: string;
  /** When the workflow started (ISO 8601). */
  startedAt: string;
}

export interface ResolveInput extends RequestRecord {
  /** Providers already tried for this request; empty on the first call. */
  exclude: string[];
  requiredFeatures: string[];
}

export interface ResolvePlan {
  providerIds: string[];
  dispatch: DispatchSettings;
}

export interface FinishInput {
  request: RequestRecord;
  /** The provider of the last attempt; null when none was tried. */
  providerId: string | null;
  outcome: RequestOutcome;
}

/** The platform's activities, built once per worker from the clients they need. */
export function createActivities({ db, storage, config }: ActivityDeps) {
  const dispatch: DispatchSettings = {
    pickupTimeoutMs: config.dispatch.pickupTimeoutMs,
    heartbeatTimeoutMs: config.dispatch.taskHeartbeatTimeoutMs,
    taskTimeoutMs: config.dispatch.taskTimeoutMs,
  };
  const records = new RequestRecords(db);
  const newRow = (r: RequestRecord, providerId: string | null): NewRequest => ({
    id: r.requestId,
    memberId: r.memberId,
    kind: r.kind,
    model: r.model,
    serviceType: r.serviceType,
    workflowId: r.workflowId,
    startedAt: r.startedAt,
    providerId,
  });

  return {
    /**
     * Orders the providers that may serve this request (one registry read). The request's row is
     * written alongside the dispatch, not before it (see RequestRecords).
     */
    async resolveProviders(input: ResolveInput): Promise<ResolvePlan> {
      const all = await findCandidates(db, input.memberId, input.model, config.dispatch.onlineSeconds);
      const ofType = all.filter((c) => c.serviceType === input.serviceType);
      const capable = ofType.filter((c) => input.requiredFeatures.every((f) => c.features.includes(f)));
      const matching = capable.filter((c) => !input.exclude.includes(c.providerId));
      if (input.exclude.length > 0) {
        // A failover: the workflow decides what "none left" means.
        if (matching.length > 0) {
          await records.settled(input.requestId);
          await recordAttempt(db, input.requestId, matching[0].providerId);
        }
        return { providerIds: matching.map((c) => c.providerId), dispatch };
      }
      if (matching.length === 0) {
        const failure = refusal(input, all[0]?.serviceType, ofType.length > 0);
        await finishRequest(db, newRow(input, null), {
          status: 'FAILED',
          errorType: failure.type ?? undefined,
          errorMessage: failure.message,
        });
        throw failure;
      }
      const activityLog = Context.current().log;
      records.begin(newRow(input, matching[0].providerId), (err) =>
        activityLog.warn('request row insert failed; the outcome will write it', { err: String(err) }),
      );
      return { providerIds: matching.map((c) => c.providerId), dispatch };
    },

    async finishRequest(input: FinishInput): Promise<void> {
      await records.settled(input.request.requestId);
      await finishRequest(db, newRow(input.request, input.providerId), input.outcome);
    },

    ...createMediaActivities({ db, storage, recorded: (requestId) => records.settled(requestId) }),
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

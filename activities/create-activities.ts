import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../config/config';
import type { Db } from '../db/database';
import { providerOnline, selectProviders } from '../db/repositories/provider.repository';
import {
  finishRequest,
  insertRequest,
  recordAttempt,
  requestStarted,
  type NewRequest,
  type RequestOutcome,
  type RequestRecord,
} from '../db/repositories/request.repository';
import { dispatchSettings, type DispatchPlan } from '../workflows/inference-contract';
import type { Storage } from '../clients/storage';
import { createBatchActivities } from './batch-activities';
import { createJobActivities } from './job-activities';
import { createMediaActivities } from './media-activities';
import { createRunActivities } from './run-activities';
import { createTransformActivities } from './transform-activities';
import { refusalFor } from '../workflows/refusal';
import { answerText } from '../workflows/answer-text';
import { getPayload } from '../clients/payload-store';

/** Kinds whose answer is text the history shows. */
const TEXT_KINDS: ReadonlySet<string> = new Set(['chat', 'completion', 'transcription']);

export interface ActivityDeps {
  db: Db;
  storage: Storage;
  config: Pick<Config, 'dispatch' | 'api' | 'webhooks'>;
}

export interface ResolveInput extends RequestRecord {
  /** Providers already tried for this request; empty on the first call. */
  exclude: string[];
  requiredFeatures: string[];
  /** The first read: with no provider at all, refuse the request with the reason. */
  first?: boolean;
  /**
   * The first read of a request whose row nobody wrote yet (a job, a batch item, a run step): the
   * row is written here, QUEUED on the first provider, in the same local activity, instead of by a
   * regular activity of its own (one activity and one workflow task fewer per request).
   */
  record?: RequestRecord;
}

export interface WaitingCheck {
  started: boolean;
  online: boolean;
  idleAlternative: boolean;
}

export interface FinishInput {
  request: RequestRecord;
  /** The provider of the last attempt; null when none was tried. */
  providerId: string | null;
  outcome: RequestOutcome;
}

/** The platform's activities, built once per worker from the clients they need. */
export function createActivities({ db, storage, config }: ActivityDeps) {
  const dispatch = dispatchSettings(config.dispatch);

  return {
    /**
     * Orders the providers that may serve this request (one registry read); on a failover, also
     * notes the next attempt on the request's row. With none at all, refuses with the reason.
     */
    async resolveProviders(input: ResolveInput): Promise<DispatchPlan> {
      const { all, ofType, matching } = await selectProviders(db, {
        ...input,
        onlineSeconds: config.dispatch.onlineSeconds,
        inFlightSeconds: config.dispatch.inFlightSeconds,
      });
      if (!input.first) {
        // A failover: the workflow decides what "none left" means.
        if (matching.length > 0) await recordAttempt(db, input.requestId, matching[0].providerId);
        return { providerIds: matching.map((c) => c.providerId), dispatch };
      }
      // The workflow records the refusal as the request's outcome.
      if (matching.length === 0) {
        const why = refusalFor({ ...input, servedAs: all[0]?.serviceType, rightType: ofType.length > 0 });
        throw ApplicationFailure.create({ ...why, nonRetryable: true });
      }
      if (input.record) await insertRequest(db, { ...input.record, providerId: matching[0].providerId }, 'QUEUED');
      return { providerIds: matching.map((c) => c.providerId), dispatch };
    },

    /**
     * The request's PROCESSING row (it counts towards its provider's load). Scheduled together
     * with the provider task, so the answer never waits for this write.
     */
    async recordRequest(input: NewRequest & { providerId: string }): Promise<void> {
      await insertRequest(db, input, 'QUEUED');
    },

    /**
     * Where a task that has waited a while stands: taken by an agent already; or still queued on a
     * provider that is gone (fail over), or busy while another one of the model sits idle (move
     * there), or simply busy (keep waiting: busy is not dead).
     */
    async checkWaiting(input: ResolveInput & { providerId: string }): Promise<WaitingCheck> {
      if (await requestStarted(db, input.requestId)) return { started: true, online: true, idleAlternative: false };
      const [online, { matching }] = await Promise.all([
        providerOnline(db, input.providerId, config.dispatch.onlineSeconds),
        selectProviders(db, {
          ...input,
          onlineSeconds: config.dispatch.onlineSeconds,
          inFlightSeconds: config.dispatch.inFlightSeconds,
        }),
      ]);
      const idleAlternative = matching.some((c) => c.providerId !== input.providerId && c.inFlight < c.concurrency);
      return { started: false, online, idleAlternative };
    },

    async finishRequest(input: FinishInput): Promise<void> {
      const outcome = { ...input.outcome };
      // A stored answer (a job's, or one too large for the workflow): its text is read back here.
      if (outcome.resultKey && outcome.outputText === undefined && TEXT_KINDS.has(input.request.kind)) {
        outcome.outputText = answerText(await getPayload(storage, { key: outcome.resultKey, bytes: 0 }));
      }
      await finishRequest(db, { ...input.request, providerId: input.providerId }, outcome);
    },

    ...createMediaActivities({ db, storage }),
    ...createJobActivities({ db, storage, config }),
    ...createBatchActivities({ db, storage, config }),
    ...createRunActivities({ db, storage, config }),
    ...createTransformActivities(),
  };
}

export type PlatformActivities = ReturnType<typeof createActivities>;

import { ApplicationFailure } from '@temporalio/common';
import { checkWebhookUrl, WebhookRefusedError } from '../clients/webhook-target';
import { sendWebhook } from '../clients/webhooks';
import type { Config } from '../config/config';
import type { Db } from '../db/database';
import { getOrCreateWebhookSecret } from '../db/repositories/member.repository';

/**
 * The failure type of a delivery the platform will not make (the URL now points at a non-public
 * address, or its member is gone): non-retryable, so the workflow stops trying at once.
 */
export const WEBHOOK_REFUSED = 'webhook_refused';

export interface WebhookActivityDeps {
  db: Db;
  config: Pick<Config, 'webhooks'>;
}

export interface DeliverWebhookInput {
  memberId: string;
  url: string;
  /** One per job end, the same on every retry, so the receiver can drop duplicates. */
  webhookId: string;
  /** The job object, sent as JSON. */
  payload: unknown;
}

/** Webhook delivery for async jobs: one attempt per activity run, Temporal's retry policy retries. */
export function createWebhookActivities({ db, config }: WebhookActivityDeps) {
  const { allowPrivate, timeoutMs } = config.webhooks;
  return {
    /**
     * Signs the payload with the member's secret (created on first use) and POSTs it. The URL is
     * checked again first (its name may point somewhere else since the job was submitted): a
     * non-public address is a non-retryable `webhook_refused` failure. A receiver that cannot be
     * reached, times out or answers other than 2xx is an ordinary, retryable error.
     */
    async deliverWebhook(input: DeliverWebhookInput): Promise<void> {
      const secret = await getOrCreateWebhookSecret(db, input.memberId);
      if (!secret) throw ApplicationFailure.nonRetryable('The job’s member no longer exists.', WEBHOOK_REFUSED);
      try {
        await checkWebhookUrl(input.url, { allowPrivate });
        await sendWebhook({
          url: input.url,
          secret,
          webhookId: input.webhookId,
          payload: input.payload,
          timeoutMs,
          allowPrivate,
        });
      } catch (err) {
        if (err instanceof WebhookRefusedError) throw ApplicationFailure.nonRetryable(err.message, WEBHOOK_REFUSED);
        // WebhookUnresolvedError, WebhookDeliveryError, a database error: retried by the policy.
        throw err;
      }
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;

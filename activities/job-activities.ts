import type { Storage } from '../clients/storage';
import type { Config } from '../config/config';
import type { Db } from '../db/database';
import { jobView } from '../domain/job-view';
import { createWebhookActivities } from './webhook-activities';

export interface JobWebhookInput {
  requestId: string;
  memberId: string;
  url: string;
  /** One per job end (the workflow run), the same on every retry of the delivery. */
  webhookId: string;
}

/** What async jobs need beyond the inference itself: telling their webhook how they ended. */
export function createJobActivities(deps: { db: Db; storage: Storage; config: Pick<Config, 'api' | 'webhooks'> }) {
  const { deliverWebhook } = createWebhookActivities(deps);
  return {
    /**
     * Sends the job object, as it stands now that the job ended, to the job's webhook. Built here
     * rather than passed in, so a large answer never sits in the workflow's history.
     */
    async deliverJobWebhook(input: JobWebhookInput): Promise<void> {
      const row = await deps.db
        .selectFrom('requests')
        .selectAll()
        .where('id', '=', input.requestId)
        .executeTakeFirstOrThrow();
      await deliverWebhook({
        memberId: input.memberId,
        url: input.url,
        webhookId: input.webhookId,
        payload: await jobView(deps, row),
      });
    },
  };
}

// A test-only workflow: the webhook activity under a retry policy shaped like production's, with
// short intervals so the retries happen within a test.
import { proxyActivities } from '@temporalio/workflow';
import type { DeliverWebhookInput, WebhookActivities } from '../../activities/webhook-activities';

const { deliverWebhook } = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '1 second',
    maximumAttempts: 6,
    nonRetryableErrorTypes: ['webhook_refused'],
  },
});

export async function deliverWebhookWorkflow(input: DeliverWebhookInput): Promise<void> {
  await deliverWebhook(input);
}

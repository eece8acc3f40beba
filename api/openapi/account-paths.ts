import { errors, json } from './openapi-builders';

/** The member's account settings, with their key. */
export function accountPaths(): Record<string, unknown> {
  return {
    '/api/account/webhook-secret': {
      get: {
        tags: ['Account'],
        summary: 'Your webhook signing secret',
        description:
          'The secret that signs the webhooks of your async jobs by the Standard Webhooks scheme (`webhook-id`, `webhook-timestamp` and `webhook-signature` headers); created on first use, the same on every call after.',
        responses: {
          '200': { description: 'The secret (`whsec_` and base64).', content: json('WebhookSecret') },
          ...errors(401, 503),
        },
      },
    },
  };
}

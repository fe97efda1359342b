/** What an endpoint can subscribe to; payloads are described in the README ("Webhooks"). */
export const WEBHOOK_EVENT_TYPES = [
  'user.created',
  'user.updated',
  'session.created',
  'session.revoked',
  'sign_in.succeeded',
  'sign_in.failed',
  'grant.revoked',
  'token.revoked',
] as const;

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

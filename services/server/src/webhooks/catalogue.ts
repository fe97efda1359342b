import { WEBHOOK_EVENT_TYPES } from '@latchkey/contract/constants';

/**
 * The webhook event types an endpoint can subscribe to. Seed 004's channels
 * (user:created, user:updated, session:created, session:revoked) in dotted
 * form, plus sign-in, grant and token events. Payload shapes are documented
 * in the README ("Webhooks"); the list itself is the contract's.
 */
export { WEBHOOK_EVENT_TYPES };

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const isWebhookEventType = (value: string): value is WebhookEventType => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);

/** An event as the outbox stores it: `subject` orders deliveries (one subject's events go out in order). */
export type WebhookEvent = { type: WebhookEventType; subject: string | null; data: Record<string, unknown> };

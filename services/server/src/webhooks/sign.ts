import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks headers for one attempt. `webhook-id` names the event
 * (the same across retries and replays, so receivers can deduplicate);
 * `webhook-timestamp` is the attempt's time (receivers refuse stale ones);
 * during a rotation's grace period the signature header carries one
 * signature per secret, space-separated, and either verifies.
 */
export function signedHeaders(input: { eventId: string; body: string; secrets: readonly string[]; now?: Date }): Record<string, string> {
  const now = input.now ?? new Date();
  const messageId = webhookMessageId(input.eventId);
  const signatures = input.secrets.map((secret) => new Webhook(secret).sign(messageId, now, input.body));
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

export const webhookMessageId = (eventId: string): string => `evt_${eventId}`;

import type { AuditEvent } from '../events/audit.ts';
import type { WebhookEvent, WebhookEventType } from './catalogue.ts';

/**
 * Most webhook events are audit events seen from outside: where a change
 * already writes its audit event in its transaction, the outbox row is
 * derived there (events/audit.ts), so no call site emits twice. Changes to
 * an account all become `user.updated` with `change` saying which; payloads
 * carry ids and what happened, never addresses or secrets.
 */

const USER_CHANGES: ReadonlySet<string> = new Set([
  'user.updated',
  'user.blocked',
  'user.unblocked',
  'user.deleted',
  'user.locked',
  'user.unlocked',
  'user.role_changed',
  'email.verified',
  'email.changed',
  'profile.updated',
  'password.changed',
  'password.reset',
  'identity.linked',
  'identity.unlinked',
  'passkey.added',
  'passkey.removed',
]);

const DIRECT: Readonly<Record<string, WebhookEventType>> = {
  sign_up: 'user.created',
  'user.created': 'user.created',
  'sign_in.success': 'sign_in.succeeded',
  'sign_in.failure': 'sign_in.failed',
  'session.revoked': 'session.revoked',
  'grant.revoked': 'grant.revoked',
  'api_token.revoked': 'token.revoked',
};

const pick = (data: Record<string, unknown> | undefined, keys: readonly string[]) =>
  Object.fromEntries(keys.filter((key) => data?.[key] !== undefined).map((key) => [key, data![key]]));

export function webhookEventFromAudit(event: AuditEvent): WebhookEvent | undefined {
  const type: string = event.type;
  const userId = event.subjectUserId ?? (typeof event.data?.userId === 'string' ? event.data.userId : undefined);
  if (USER_CHANGES.has(type)) {
    if (!userId) return undefined;
    const change = type === 'user.updated' ? 'updated' : type.replace('.', '_');
    return { type: 'user.updated', subject: userId, data: { user_id: userId, change, ...pick(event.data, ['fields', 'role', 'status']) } };
  }
  const mapped = DIRECT[type];
  if (!mapped) return undefined;
  const actor = event.actorUserId ? { type: 'user', id: event.actorUserId } : { type: event.actorType ?? 'system', id: event.actorId ?? null };
  switch (mapped) {
    case 'user.created':
      return userId ? { type: mapped, subject: userId, data: { user_id: userId, via: event.data?.via ?? 'sign_up' } } : undefined;
    case 'sign_in.succeeded':
    case 'sign_in.failed':
      return {
        type: mapped,
        subject: userId ?? null,
        data: { user_id: userId ?? null, client_id: event.clientId ?? null, ip: event.ip ?? null, ...pick(event.data, ['method', 'reason']) },
      };
    case 'session.revoked': {
      const sessionId = event.subject?.type === 'session' ? event.subject.id : undefined;
      if (!sessionId) return undefined;
      return { type: mapped, subject: userId ?? sessionId, data: { session_id: sessionId, user_id: userId ?? null, reason: event.data?.reason ?? null, actor } };
    }
    case 'grant.revoked': {
      const grantId = typeof event.data?.grant_id === 'string' ? event.data.grant_id : event.subject?.type === 'grant' ? event.subject.id : null;
      return {
        type: mapped,
        subject: userId ?? grantId,
        data: { grant_id: grantId, user_id: userId ?? null, client_id: event.clientId ?? null, actor, ...pick(event.data, ['reason', 'grants']) },
      };
    }
    case 'token.revoked': {
      const recorded = event.data?.api_token_id ?? event.data?.token_id;
      const tokenId = typeof recorded === 'string' ? recorded : (event.subject?.id ?? null);
      return { type: mapped, subject: userId ?? tokenId, data: { token_id: tokenId, kind: 'personal_api_token', user_id: userId ?? null, actor } };
    }
    default:
      return undefined;
  }
}

import type { AuditEvent } from '../events/audit.ts';
import type { OutboxEvent } from './event-record.ts';
import { EVENT } from './events.ts';

/**
 * Which security event (CAEP, RISC) an audit event is, if any: derived in
 * recordAuditEvent like the webhook outbox, so every change that is audited
 * signals and none signals twice. Not signalled, on purpose: a signing key
 * revoked (receivers refetch the JWKS when they meet an unknown kid, and
 * events still waiting are signed at delivery with the key that signs then),
 * and bulk grant revocations without grant ids (a block or reset sends its
 * account or credential event, and each session its session-revoked).
 */

const stringField = (data: Record<string, unknown> | undefined, ...keys: string[]) => {
  for (const key of keys) if (typeof data?.[key] === 'string' && data[key]) return data[key];
  return undefined;
};

const credential = (userId: string, credentialType: string, changeType: string): OutboxEvent => ({
  type: EVENT.credentialChange,
  subject: { kind: 'user', userId },
  claims: { credential_type: credentialType, change_type: changeType, initiating_entity: 'user' },
});

// A synced passkey lives on the person's devices; a device-bound one is most often a security key.
const passkeyType = (data: Record<string, unknown> | undefined) => (data?.device_type === 'singleDevice' ? 'fido2-roaming' : 'fido2-platform');

export function securityEventFromAudit(event: AuditEvent): OutboxEvent | undefined {
  const userId = event.subjectUserId ?? stringField(event.data, 'userId', 'user_id');
  const byAdmin = event.actorType === 'operator' || (event.actorUserId !== undefined && event.actorUserId !== userId);
  switch (event.type) {
    case 'session.revoked': {
      const sessionUid = event.subject?.type === 'session' ? event.subject.id : undefined;
      if (!sessionUid || !userId) return undefined;
      const reason = stringField(event.data, 'reason');
      return {
        type: EVENT.sessionRevoked,
        subject: { kind: 'session', userId, sessionUid },
        claims: { initiating_entity: reason === 'logout' ? 'user' : byAdmin ? 'admin' : 'policy', ...(reason ? { reason_admin: { en: reason } } : {}) },
      };
    }
    case 'grant.revoked': {
      const grantId = stringField(event.data, 'grant_id', 'grantId') ?? (event.subject?.type === 'grant' ? event.subject.id : undefined);
      if (!grantId) return undefined;
      const reason = stringField(event.data, 'reason');
      return {
        type: EVENT.sessionRevoked,
        subject: { kind: 'grant', grantId, ...(userId ? { userId } : {}) },
        claims: { initiating_entity: byAdmin ? 'admin' : 'policy', ...(reason ? { reason_admin: { en: reason } } : {}) },
      };
    }
    case 'password.changed':
      return userId ? credential(userId, 'password', 'update') : undefined;
    case 'password.reset':
      return userId ? credential(userId, 'password', 'update') : undefined;
    case 'passkey.added':
      return userId ? credential(userId, passkeyType(event.data), 'create') : undefined;
    case 'passkey.removed':
      return userId ? credential(userId, passkeyType(event.data), 'delete') : undefined;
    case 'totp.enabled':
      return userId ? credential(userId, 'app', 'create') : undefined;
    case 'totp.disabled':
      return userId ? credential(userId, 'app', 'delete') : undefined;
    case 'user.updated': {
      const role = stringField(event.data, 'role');
      if (!userId || !role) return undefined;
      return { type: EVENT.tokenClaimsChange, subject: { kind: 'user', userId }, claims: { claims: { role } } };
    }
    case 'user.blocked':
      return userId ? { type: EVENT.accountDisabled, subject: { kind: 'user', userId }, claims: {} } : undefined;
    case 'user.unblocked':
      return userId ? { type: EVENT.accountEnabled, subject: { kind: 'user', userId }, claims: {} } : undefined;
    case 'user.deleted':
      return userId ? { type: EVENT.accountPurged, subject: { kind: 'user', userId }, claims: {} } : undefined;
    default:
      return undefined;
  }
}

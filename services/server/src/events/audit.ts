import type { Knex } from 'knex';
import { enqueueSecurityEvent } from '../signals/enqueue.ts';
import { securityEventFromAudit } from '../signals/from-audit.ts';
import { enqueueEvent } from '../webhooks/enqueue.ts';
import { webhookEventFromAudit } from '../webhooks/from-audit.ts';

/**
 * Who did what to whom, from where: one append-only `audit_events` row per
 * security-relevant event. Written with the caller's transaction when there
 * is one, so an event exists exactly when the change it describes does.
 */

export type AuditEventType =
  | 'sign_in.success'
  | 'sign_in.failure'
  | 'sign_up'
  | 'email.verified'
  /** The owner switched the account's address after proving the new one by code; data: { from, to } (for takeover investigations). */
  | 'email.changed'
  /** Phone (phone/): a number proved by SMS code became the account's (data.via: console, api); removed by the owner. Data holds only the number's last digits. */
  | 'phone.verified'
  | 'phone.removed'
  /** The owner changed their own profile; data.fields names what changed (never the values). */
  | 'profile.updated'
  | 'password.changed'
  | 'password.reset'
  /** Social sign-in (social/): an upstream identity linked to the account or unlinked; data: provider, identity_id, via (never tokens). */
  | 'identity.linked'
  | 'identity.unlinked'
  /** A passkey registered or removed (subject: the owner); data: passkey_id, name, device_type (never key material). */
  | 'passkey.added'
  | 'passkey.removed'
  /** Two-step verification (totp/): the authenticator app turned on or off, recovery codes made (data.count) or one used; never a code or seed. */
  | 'totp.enabled'
  | 'totp.disabled'
  | 'recovery_codes.generated'
  | 'recovery_code.used'
  | 'session.revoked'
  /** Grants and all they issued, revoked; data.reason says why (refresh_token_reuse, account_blocked, revoked_by_user …), data.grants how many when several. */
  | 'grant.revoked'
  | 'user.blocked'
  | 'user.unblocked'
  | 'user.deleted'
  | 'user.locked'
  | 'user.unlocked'
  | 'invitation.redeemed'
  /** By an operator or admin; data: scopes, email_bound, expires_at (never the code). */
  | 'invitation.created'
  | 'invitation.revoked'
  /** An admin changed an account's profile or role; data.fields names what changed. */
  | 'user.updated'
  /** Client changes (CLI: actor 'operator', id 'cli'; API: the caller); data never holds the secret. */
  | 'client.created'
  | 'client.updated'
  | 'client.secret_rotated'
  | 'client.deleted'
  /** API resources (RFC 8707 audiences) registered, changed or removed. */
  | 'resource.created'
  | 'resource.updated'
  | 'resource.deleted'
  /** Personal API tokens (subject: the owner); data: api_token_id, name (scopes and expires_at on creation), never the token. */
  | 'api_token.created'
  | 'api_token.revoked'
  | 'api_token.blocked'
  | 'api_token.unblocked'
  /** CLI key changes (actor 'operator'); data never holds key material. */
  | 'signing_key.rotated'
  | 'signing_key.revoked'
  /** Scope changes (CLI or API); data: description. */
  | 'scope.created'
  | 'scope.updated'
  | 'scope.deleted'
  | 'secrets.reencrypted'
  /** Webhook endpoints registered, changed, removed, re-keyed, or a delivery sent again; data never holds the secret. */
  | 'webhook.created'
  | 'webhook.updated'
  | 'webhook.deleted'
  | 'webhook.secret_rotated'
  | 'webhook.replayed'
  /** Shared Signals streams a receiver created, changed (data.fields) or deleted, or an operator deleted (CLI). */
  | 'ssf_stream.created'
  | 'ssf_stream.updated'
  | 'ssf_stream.deleted';

export type AuditActorType = 'user' | 'client' | 'operator' | 'system';

export type AuditEvent = {
  type: AuditEventType;
  /** The signed-in person who acted; sets actor_type 'user'. */
  actorUserId?: string;
  /** Someone other than a user acted (the CLI is 'operator'); default 'system' when no actorUserId. */
  actorType?: Exclude<AuditActorType, 'user'>;
  actorId?: string;
  /** The user the event is about (subject_type 'user'). */
  subjectUserId?: string;
  /** Or another kind of subject, e.g. { type: 'session', id: uid }. */
  subject?: { type: string; id: string };
  clientId?: string;
  ip?: string;
  userAgent?: string;
  /** Extra detail; never secrets (no passwords, codes or tokens). */
  data?: Record<string, unknown>;
};

// Bounded so a hostile header cannot bloat the append-only table.
const clip = (value: string | undefined, max: number) => (value === undefined ? null : value.slice(0, max));

export async function recordAuditEvent(db: Knex, event: AuditEvent): Promise<void> {
  // The webhook event this change is (if any) goes to the outbox with it: same transaction, one or none.
  const webhookEvent = webhookEventFromAudit(event);
  // So is the security event (Shared Signals) for the streams that want it.
  const securityEvent = securityEventFromAudit(event);
  if ((webhookEvent || securityEvent) && !db.isTransaction) return db.transaction((trx) => recordAuditEvent(trx, event));
  const subject = event.subjectUserId ? { type: 'user', id: event.subjectUserId } : event.subject;
  await db('audit_events').insert({
    type: event.type,
    actor_type: event.actorUserId ? 'user' : (event.actorType ?? 'system'),
    actor_id: event.actorUserId ?? event.actorId ?? null,
    subject_type: subject?.type ?? null,
    subject_id: subject?.id ?? null,
    client_id: clip(event.clientId, 200),
    ip: clip(event.ip, 64),
    user_agent: clip(event.userAgent, 512),
    data: JSON.stringify(event.data ?? {}),
  });
  if (webhookEvent) await enqueueEvent(db, webhookEvent);
  if (securityEvent) await enqueueSecurityEvent(db, securityEvent);
}

import type { Knex } from 'knex';
import type Provider from 'oidc-provider';
import { recordAuditEvent } from '../events/audit.ts';
import type { Logger } from '../http/logger.ts';

/**
 * A logout (RP-initiated, "Sign out" chosen) ends the session in the adapter
 * with no audit event of its own: record it as the session's revocation,
 * with reason 'logout', so webhooks and Shared Signals (session-revoked)
 * hear of it like of any other revocation. "Stay signed in" keeps the
 * session (only the app's grant goes, audited as such): nothing here.
 */
export function auditLogouts(provider: Provider, deps: { knex: Knex; logger: Logger }): void {
  provider.on('end_session.success', (ctx) => {
    const session = ctx.oidc.session as { destroyed?: boolean; uid?: string; accountId?: string } | undefined;
    if (!session?.destroyed || !session.uid || !session.accountId) return;
    const ip = (ctx.req as { ip?: string }).ip ?? ctx.ip;
    recordAuditEvent(deps.knex, {
      type: 'session.revoked',
      actorUserId: session.accountId,
      subject: { type: 'session', id: session.uid },
      clientId: ctx.oidc.client?.clientId,
      ip,
      userAgent: ctx.get('user-agent') || undefined,
      data: { reason: 'logout', userId: session.accountId },
    }).catch((err: unknown) => deps.logger.error({ err }, 'logout audit event not recorded'));
  });
}

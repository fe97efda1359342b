import type { Knex } from 'knex';
import { insertLinkedIdentity } from '../db/auth-providers.ts';
import { recordAuditEvent } from '../events/audit.ts';
import type { UpstreamIdentity } from './identity.ts';

export type LinkOrigin = { ip?: string; userAgent?: string; clientId?: string };

/**
 * Links an upstream identity to an account, with its identity.linked event,
 * inside the caller's transaction. 'taken' when the identity is already
 * linked (to this account or another): nothing was written.
 */
export async function linkIdentityIn(
  trx: Knex,
  input: { userId: string; identity: UpstreamIdentity; via: 'sign_up' | 'sign_in' | 'console' | 'address_proved'; origin?: LinkOrigin },
): Promise<'linked' | 'taken'> {
  const { identity } = input;
  const id = await insertLinkedIdentity(trx, {
    userId: input.userId,
    type: identity.upstream,
    providerId: identity.subject,
    email: identity.email,
    claims: identity.claims,
    metadata: { email_verified: identity.emailVerified },
  });
  if (!id) return 'taken';
  await recordAuditEvent(trx, {
    type: 'identity.linked',
    actorUserId: input.userId,
    subjectUserId: input.userId,
    clientId: input.origin?.clientId,
    ip: input.origin?.ip,
    userAgent: input.origin?.userAgent,
    data: { provider: identity.upstream, identity_id: id, via: input.via },
  });
  return 'linked';
}

import type { Request } from 'express';
import { revokeGrants } from '../accounts/status.ts';
import { deleteOtherIdentities } from '../db/auth-providers.ts';
import { findUserByEmail, insertUser } from '../db/users.ts';
import { recordAuditEvent } from '../events/audit.ts';
import { publishAfterCommit } from '../events/publish.ts';
import type { InteractionDeps } from '../interactions/deps.ts';
import type { LoadedInteraction } from '../interactions/interaction.ts';
import { revokeUserSessions } from '../sessions/revoke.ts';
import type { UpstreamIdentity } from './identity.ts';
import { linkIdentityIn, type LinkOrigin } from './link.ts';

/**
 * What a new upstream identity (linked to nobody yet) signs in to:
 *
 * - The upstream verified the address and an account has proved it too:
 *   'prove'. Never linked on the upstream's word; the person signs in to
 *   that account first (pending-link.ts).
 * - The upstream verified the address and the account holding it never
 *   proved it: the account is handed to the address's proven owner (see
 *   claimUnverifiedAccount) and the identity is linked to it.
 * - Otherwise a new account (when sign-up is open): with the address only
 *   when the upstream verified it. An unverified address is never looked up
 *   and never stored on the account (only in auth_providers), so the answer
 *   is the same whether or not someone here uses it, and an address nobody
 *   proved cannot later let its owner into this account (or this account's
 *   creator into theirs).
 */
export type Resolution = { kind: 'user'; userId: string } | { kind: 'prove'; userId: string; email: string } | { kind: 'closed' };

const originOf = (req: Request, interaction: LoadedInteraction): LinkOrigin => ({ ip: req.ip, userAgent: req.get('user-agent'), clientId: interaction.client.clientId });

/** A parallel sign-in linked the identity or took the address first: the caller resolves again. */
export class Raced extends Error {}

export async function resolveNewIdentity(deps: InteractionDeps, req: Request, interaction: LoadedInteraction, identity: UpstreamIdentity): Promise<Resolution> {
  const origin = originOf(req, interaction);
  const email = identity.emailVerified ? identity.email : null;
  if (email) {
    const existing = await findUserByEmail(deps.db.knex, email);
    if (existing?.email_verified) return { kind: 'prove', userId: existing.id, email: existing.email ?? email };
    if (existing && (await claimUnverifiedAccount(deps, existing.id, email, identity, origin))) return { kind: 'user', userId: existing.id };
    // Proved by its owner meanwhile: that owner must sign in first, as above.
    if (existing) return { kind: 'prove', userId: existing.id, email };
  }
  if (deps.config.signup !== 'open') return { kind: 'closed' };
  return { kind: 'user', userId: await createAccount(deps, email, identity, origin) };
}

/** A new account from the identity, linked to it, in one transaction. */
async function createAccount(deps: InteractionDeps, email: string | null, identity: UpstreamIdentity, origin: LinkOrigin): Promise<string> {
  return deps.db.knex.transaction(async (trx) => {
    const userId = await insertUser(trx, { email, displayName: identity.name, emailVerified: email !== null });
    // The address got an account since we looked, or the identity got linked: nothing is kept.
    if (!userId) throw new Raced();
    if ((await linkIdentityIn(trx, { userId, identity, via: 'sign_up', origin })) === 'taken') throw new Raced();
    await recordAuditEvent(trx, { type: 'sign_up', actorUserId: userId, subjectUserId: userId, ...origin, data: { via: 'social', provider: identity.upstream } });
    if (email) await recordAuditEvent(trx, { type: 'email.verified', actorUserId: userId, subjectUserId: userId, ...origin, data: { via: 'social', provider: identity.upstream } });
    publishAfterCommit(trx, deps.store, 'user:created', { userId });
    return userId;
  });
}

/**
 * Pre-account-takeover: someone made an account with an address they do not
 * own (it stays unverified), hoping its owner would later arrive and share
 * it. When the upstream proves the address, its owner gets the account, and
 * everything set on it before the address was proved is dropped — password,
 * authenticator app, phone, passkeys, other linked identities, API tokens —
 * and its browser sessions and grants end. Whoever created it is left out.
 * (Sign-up here never stores a password before the address is proved; this
 * also covers accounts from an import or an admin's edit.) One transaction,
 * with the row locked: false when it was proved meanwhile.
 */
export async function claimUnverifiedAccount(deps: InteractionDeps, userId: string, email: string, identity: UpstreamIdentity, origin: LinkOrigin): Promise<boolean> {
  const claimed = await deps.db.knex.transaction(async (trx) => {
    const row = await trx('users').where({ id: userId, email_verified: false }).whereRaw('lower(email) = lower(?)', [email]).forUpdate().first('id');
    if (!row) return false;
    await trx('users').where({ id: userId }).update({
      password_hash: null,
      totp_enabled: false,
      totp_secret: null,
      totp_last_step: null,
      phone: null,
      phone_verified: false,
      phone_verified_at: null,
      email_verified: true,
      email_verified_at: trx.fn.now(),
      failed_sign_in_count: 0,
      updated_at: trx.fn.now(),
    });
    await trx('webauthn_credentials').where({ user_id: userId }).delete();
    await deleteOtherIdentities(trx, userId);
    await trx('api_tokens')
      .whereIn('owner_id', trx('api_token_owners').select('id').where({ user_id: userId }))
      .whereNull('revoked_at')
      .update({ revoked_at: trx.fn.now() });
    await revokeGrants({ knex: trx }, userId, { actor: { actorType: 'system' }, reason: 'address_proved_by_owner' });
    if ((await linkIdentityIn(trx, { userId, identity, via: 'address_proved', origin })) === 'taken') throw new Raced();
    await recordAuditEvent(trx, { type: 'email.verified', actorUserId: userId, subjectUserId: userId, ...origin, data: { via: 'social', provider: identity.upstream, credentials_cleared: true } });
    publishAfterCommit(trx, deps.store, 'user:updated', { userId });
    return true;
  });
  if (claimed) await revokeUserSessions({ knex: deps.db.knex, store: deps.store }, userId, 'address_proved_by_owner');
  return claimed;
}

import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';
import { findUsableInvitation, redeemInvitation } from '../db/invitations.ts';
import { findUserByEmail, grantUserScopes, insertUser } from '../db/users.ts';
import { recordAuditEvent } from '../events/audit.ts';
import { publishAfterCommit } from '../events/publish.ts';
import type { Store } from '../store/index.ts';
import { invitationCodeHashes } from './invitations.ts';

export type SignUpMode = 'open' | 'invite' | 'closed';

type Origin = { ip?: string; userAgent?: string; clientId?: string };

export type RegisterInput = {
  email: string;
  displayName: string | null;
  /** Required when sign-up is by invitation; optional (but honoured) when open. */
  invitationCode?: string;
  /** Where the request came from, for the audit trail. */
  origin?: Origin;
};

export type RegisterResult =
  /** Open sign-up: a new, unverified account without a password (completed once the address is proved). */
  | { status: 'created'; userId: string }
  /** A usable invitation for a free address: nothing is written until the address is proved (completeInvitedSignUp). */
  | { status: 'invited'; invitationId: string }
  /** The address already has an account: nothing was written. The caller must answer exactly as for 'created'. */
  | { status: 'exists'; userId: string; email: string; verified: boolean; active: boolean }
  | { status: 'invitation_invalid' }
  | { status: 'closed' };

/**
 * Starts the sign-up a form asks for. Without an invitation (open sign-up)
 * the account is created at once, unverified and without a password: the
 * password chosen on the form is set only once the address is proved
 * (completeUnverifiedAccount in db/users.ts), so nobody can pre-register
 * someone else's address with a password they know.
 *
 * With an invitation nothing is written yet: the invitation is redeemed only
 * by completeInvitedSignUp, once the emailed code proves the address. A typo
 * in the address therefore never burns the invitation, and whoever owns the
 * typo never gets its scopes (nor an account).
 */
export async function registerAccount(deps: { knex: Knex; keyring: Keyring; store: Store; mode: SignUpMode }, input: RegisterInput): Promise<RegisterResult> {
  if (deps.mode === 'closed') return { status: 'closed' };
  const code = input.invitationCode?.trim() || undefined;
  if (deps.mode === 'invite' && !code) return { status: 'invitation_invalid' };
  // Checked before looking at the address, so a bad code answers the same for
  // taken and free addresses (no enumeration through the invitation field).
  const invitation = code ? await findUsableInvitation(deps.knex, invitationCodeHashes(deps.keyring, code), input.email) : undefined;
  if (code && !invitation) return { status: 'invitation_invalid' };

  if (invitation) {
    const existing = await findUserByEmail(deps.knex, input.email);
    if (existing) return existingResult(existing);
    return { status: 'invited', invitationId: invitation.id };
  }

  return deps.knex.transaction(async (trx): Promise<RegisterResult> => {
    const userId = await insertUser(trx, { email: input.email, displayName: input.displayName });
    if (!userId) {
      const existing = await findUserByEmail(trx, input.email);
      if (!existing) throw new Error('insert was ignored but no user has the address');
      return existingResult(existing);
    }
    await recordAuditEvent(trx, { type: 'sign_up', actorUserId: userId, subjectUserId: userId, ...(input.origin ?? {}), data: {} });
    publishAfterCommit(trx, deps.store, 'user:created', { userId });
    return { status: 'created', userId };
  });
}

const existingResult = (user: { id: string; email: string | null; email_verified: boolean; status: string }): RegisterResult => ({
  status: 'exists',
  userId: user.id,
  email: user.email ?? '',
  verified: user.email_verified,
  active: user.status === 'active',
});

export type InvitedSignUpResult =
  | { status: 'created'; userId: string; invitationId: string; scopes: string[] }
  /** Redeemed, revoked or expired meanwhile (or bound to another address): nothing was written. */
  | { status: 'invitation_invalid' }
  /** The address got an account meanwhile: nothing was written, the invitation is still unused. */
  | { status: 'exists' };

class Rollback extends Error {
  readonly result: InvitedSignUpResult;
  constructor(result: InvitedSignUpResult) {
    super(result.status);
    this.result = result;
  }
}

/**
 * Finishes a sign-up by invitation once its address is proved: creates the
 * verified account with its password, redeems the invitation and grants its
 * scopes, in one transaction. The redemption is one conditional UPDATE, so of
 * any number of parallel completions (one replica or many) exactly one
 * commits; the others write nothing.
 */
export async function completeInvitedSignUp(
  deps: { knex: Knex; store: Store },
  input: { invitationId: string; email: string; displayName: string | null; passwordHash: string; origin?: Origin },
): Promise<InvitedSignUpResult> {
  const origin = input.origin ?? {};
  try {
    return await deps.knex.transaction(async (trx): Promise<InvitedSignUpResult> => {
      const userId = await insertUser(trx, { email: input.email, displayName: input.displayName, passwordHash: input.passwordHash, emailVerified: true });
      if (!userId) throw new Rollback({ status: 'exists' });
      const invitation = await redeemInvitation(trx, { invitationId: input.invitationId, email: input.email, userId });
      if (!invitation) throw new Rollback({ status: 'invitation_invalid' });
      await grantUserScopes(trx, userId, invitation.scopes);
      await recordAuditEvent(trx, { type: 'invitation.redeemed', actorUserId: userId, subject: { type: 'invitation', id: invitation.id }, ...origin, data: { scopes: invitation.scopes } });
      await recordAuditEvent(trx, { type: 'sign_up', actorUserId: userId, subjectUserId: userId, ...origin, data: { invitation_id: invitation.id } });
      await recordAuditEvent(trx, { type: 'email.verified', actorUserId: userId, subjectUserId: userId, ...origin, data: { via: 'sign_up' } });
      publishAfterCommit(trx, deps.store, 'user:created', { userId });
      return { status: 'created', userId, invitationId: invitation.id, scopes: [...invitation.scopes].sort() };
    });
  } catch (error) {
    if (error instanceof Rollback) return error.result;
    throw error;
  }
}

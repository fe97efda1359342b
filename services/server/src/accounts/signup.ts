import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';
import { isInvitationUsable, redeemInvitation, type InvitationRow } from '../db/invitations.ts';
import { findUserByEmail, grantUserScopes, insertUser } from '../db/users.ts';
import { recordAuditEvent } from '../events/audit.ts';
import { publishAfterCommit } from '../events/publish.ts';
import type { Store } from '../store/index.ts';
import { invitationCodeHash } from './invitations.ts';

export type SignUpMode = 'open' | 'invite' | 'closed';

export type RegisterInput = {
  email: string;
  displayName: string | null;
  /** Required when sign-up is by invitation; optional (but honoured) when open. */
  invitationCode?: string;
  /** Where the request came from, for the audit trail. */
  origin?: { ip?: string; userAgent?: string; clientId?: string };
};

export type RegisterResult =
  /** A new, unverified account; `invitationId` when an invitation was redeemed for it. */
  | { status: 'created'; userId: string; invitationId?: string; scopes: string[] }
  /** The address already has an account: nothing was written. The caller must answer exactly as for 'created'. */
  | { status: 'exists'; userId: string; verified: boolean; active: boolean }
  | { status: 'invitation_invalid' }
  | { status: 'closed' };

class InvitationTaken extends Error {}

/**
 * Creates the account a sign-up asks for. With an invitation, the user row and
 * the redemption are one transaction: of parallel sign-ups with one code,
 * exactly one commits, and a failed redemption leaves no user behind.
 *
 * The account starts unverified and without a password: the password chosen
 * on the form is set only once the address is proved (completeUnverifiedAccount in db/users.ts), so
 * nobody can pre-register someone else's address with a password they know.
 */
export async function registerAccount(deps: { knex: Knex; keyring: Keyring; store: Store; mode: SignUpMode }, input: RegisterInput): Promise<RegisterResult> {
  if (deps.mode === 'closed') return { status: 'closed' };
  const code = input.invitationCode?.trim() || undefined;
  if (deps.mode === 'invite' && !code) return { status: 'invitation_invalid' };
  const codeHash = code ? invitationCodeHash(deps.keyring, code) : undefined;
  // Checked before looking at the address, so a bad code answers the same for
  // taken and free addresses (no enumeration through the invitation field).
  if (codeHash && !(await isInvitationUsable(deps.knex, codeHash, input.email))) return { status: 'invitation_invalid' };

  try {
    return await deps.knex.transaction(async (trx): Promise<RegisterResult> => {
      const userId = await insertUser(trx, { email: input.email, displayName: input.displayName });
      if (!userId) {
        const existing = await findUserByEmail(trx, input.email);
        if (!existing) throw new Error('insert was ignored but no user has the address');
        return { status: 'exists', userId: existing.id, verified: existing.email_verified, active: existing.status === 'active' };
      }
      const origin = input.origin ?? {};
      let invitation: InvitationRow | undefined;
      if (codeHash) {
        invitation = await redeemInvitation(trx, { codeHash, email: input.email, userId });
        if (!invitation) throw new InvitationTaken();
        await grantUserScopes(trx, userId, invitation.scopes);
        await recordAuditEvent(trx, { type: 'invitation.redeemed', actorUserId: userId, subject: { type: 'invitation', id: invitation.id }, ...origin, data: { scopes: invitation.scopes } });
      }
      await recordAuditEvent(trx, { type: 'sign_up', actorUserId: userId, subjectUserId: userId, ...origin, data: invitation ? { invitation_id: invitation.id } : {} });
      publishAfterCommit(trx, deps.store, 'user:created', { userId });
      return { status: 'created', userId, invitationId: invitation?.id, scopes: invitation?.scopes ?? [] };
    });
  } catch (error) {
    if (error instanceof InvitationTaken) return { status: 'invitation_invalid' };
    throw error;
  }
}

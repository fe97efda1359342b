import type { Knex } from 'knex';

export type InvitationRow = {
  id: string;
  code_hash: string;
  email: string | null;
  scopes: string[];
  created_by: string | null;
  created_at: Date;
  redeemed_by: string | null;
  redeemed_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
};

export type NewInvitation = {
  codeHash: string;
  email: string | null;
  scopes: readonly string[];
  expiresInSeconds: number | null;
  createdBy: string | null;
};

export async function insertInvitation(knex: Knex, invitation: NewInvitation): Promise<Pick<InvitationRow, 'id' | 'expires_at'>> {
  const [row] = await knex('invitations')
    .insert({
      code_hash: invitation.codeHash,
      email: invitation.email,
      scopes: [...invitation.scopes],
      created_by: invitation.createdBy,
      expires_at: invitation.expiresInSeconds === null ? null : knex.raw(`now() + ? * interval '1 second'`, [invitation.expiresInSeconds]),
    })
    .returning(['id', 'expires_at']);
  return row as Pick<InvitationRow, 'id' | 'expires_at'>;
}

// The conditions that make an invitation usable by `email`, in SQL, shared by the check and the redemption.
function usable(query: Knex.QueryBuilder, knex: Knex, email: string): Knex.QueryBuilder {
  return query
    .whereNull('redeemed_at')
    .whereNull('revoked_at')
    .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', knex.fn.now()))
    .where((q) => q.whereNull('email').orWhereRaw('lower(email) = lower(?)', [email]));
}

/**
 * The invitation whose code hashes to one of `codeHashes` (the code under
 * every listed secret, so codes made before a secret rotation still work),
 * if `email` could redeem it right now. A read: redemption decides.
 */
export async function findUsableInvitation(knex: Knex, codeHashes: readonly string[], email: string): Promise<Pick<InvitationRow, 'id'> | undefined> {
  if (codeHashes.length === 0) return undefined;
  return usable(knex('invitations').select('id').whereIn('code_hash', [...codeHashes]), knex, email).first();
}

/**
 * Redeems the invitation for `userId` in ONE statement, so of any number of
 * parallel attempts exactly one sees `redeemed_at is null` (Postgres re-checks
 * the WHERE after waiting on the row lock). Run it in the transaction that
 * creates the user: if anything after it fails, the redemption rolls back too.
 */
export async function redeemInvitation(knex: Knex, input: { invitationId: string; email: string; userId: string }): Promise<InvitationRow | undefined> {
  const rows = (await usable(knex('invitations').where({ id: input.invitationId }), knex, input.email)
    .update({ redeemed_at: knex.fn.now(), redeemed_by: input.userId })
    .returning('*')) as InvitationRow[];
  return rows[0];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findInvitation(knex: Knex, id: string): Promise<InvitationRow | undefined> {
  if (!UUID.test(id)) return undefined;
  return knex<InvitationRow>('invitations').where({ id }).first();
}

/** Revokes an unredeemed, unrevoked invitation in one statement; undefined when there is none such. */
export async function revokeInvitationRow(knex: Knex, id: string): Promise<InvitationRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const rows = (await knex('invitations').where({ id }).whereNull('redeemed_at').whereNull('revoked_at').update({ revoked_at: knex.fn.now() }).returning('*')) as InvitationRow[];
  return rows[0];
}

export type InvitationStatus = 'pending' | 'redeemed' | 'revoked' | 'expired';

/** An invitation as an admin sees it: everything but the code's hash, and its status now. */
export type InvitationSummary = Omit<InvitationRow, 'code_hash'> & { status: InvitationStatus };

const STATUS_SQL = `case when redeemed_at is not null then 'redeemed' when revoked_at is not null then 'revoked'
  when expires_at is not null and expires_at <= now() then 'expired' else 'pending' end`;

const SUMMARY = ['id', 'email', 'scopes', 'created_by', 'created_at', 'redeemed_by', 'redeemed_at', 'expires_at', 'revoked_at'];

export const selectInvitationSummary = (knex: Knex) => knex('invitations').select([...SUMMARY, knex.raw(`${STATUS_SQL} as status`)]);

export const whereInvitationStatus = (query: Knex.QueryBuilder, status: InvitationStatus) => query.whereRaw(`${STATUS_SQL} = ?`, [status]);

import type { Knex } from 'knex';

/**
 * Passkeys' storage: webauthn_credentials (one row per registered
 * authenticator credential) and webauthn_challenges (one row per ceremony,
 * burned by the one statement that consumes it).
 */

export type CredentialRow = {
  id: string;
  credential_id: string;
  user_id: string;
  name: string | null;
  public_key: string;
  counter: string | number;
  device_type: 'singleDevice' | 'multiDevice';
  backed_up: boolean;
  transports: string[];
  created_at: Date;
  last_used_at: Date | null;
};

export type ChallengePurpose = 'registration' | 'authentication';

export type NewChallenge = {
  challenge: string;
  purpose: ChallengePurpose;
  /** The flow it belongs to: 'sign-in:<uid>', 'mfa:<uid>', 'console:<hash>' … */
  flowId: string;
  userId?: string | null;
  allowedCredentialIds?: readonly string[];
  userVerification: 'required' | 'preferred' | 'discouraged';
  ttlSeconds: number;
};

export async function insertChallenge(knex: Knex, challenge: NewChallenge): Promise<void> {
  await knex('webauthn_challenges').insert({
    challenge: challenge.challenge,
    purpose: challenge.purpose,
    flow_id: challenge.flowId,
    user_id: challenge.userId ?? null,
    allowed_credential_ids: [...(challenge.allowedCredentialIds ?? [])],
    user_verification: challenge.userVerification,
    expires_at: knex.raw(`now() + make_interval(secs => ?)`, [challenge.ttlSeconds]),
  });
}

export type ConsumedChallenge = { user_id: string | null; allowed_credential_ids: string[]; user_verification: string | null };

/**
 * Burns a challenge in ONE statement: only the first of any number of
 * parallel requests (on any replica) gets the row back; a replay, an expired
 * challenge or one issued for another flow or purpose gets nothing.
 */
export async function consumeChallenge(knex: Knex, where: { challenge: string; purpose: ChallengePurpose; flowId: string }): Promise<ConsumedChallenge | undefined> {
  const rows: ConsumedChallenge[] = await knex('webauthn_challenges')
    .where({ challenge: where.challenge, purpose: where.purpose, flow_id: where.flowId })
    .whereNull('consumed_at')
    .where('expires_at', '>', knex.fn.now())
    .update({ consumed_at: knex.fn.now() })
    .returning(['user_id', 'allowed_credential_ids', 'user_verification']);
  return rows[0];
}

export async function findCredential(knex: Knex, credentialId: string): Promise<CredentialRow | undefined> {
  return knex<CredentialRow>('webauthn_credentials').where({ credential_id: credentialId }).first();
}

export async function listCredentials(knex: Knex, userId: string): Promise<CredentialRow[]> {
  return knex<CredentialRow>('webauthn_credentials').where({ user_id: userId }).orderBy([{ column: 'created_at', order: 'asc' }, { column: 'id', order: 'asc' }]);
}

export const countCredentials = async (knex: Knex, userId: string): Promise<number> =>
  Number(((await knex('webauthn_credentials').where({ user_id: userId }).count({ n: '*' }).first()) as { n: string | number } | undefined)?.n ?? 0);

export type NewCredential = {
  credentialId: string;
  userId: string;
  name: string;
  publicKey: string;
  counter: number;
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  transports: readonly string[];
  aaguid: string;
  attestationType: string;
};

/** Inserts a credential; undefined when that credential id is already registered (to anyone). */
export async function insertCredential(knex: Knex, credential: NewCredential): Promise<CredentialRow | undefined> {
  const rows: CredentialRow[] = await knex('webauthn_credentials')
    .insert({
      credential_id: credential.credentialId,
      user_id: credential.userId,
      name: credential.name,
      public_key: credential.publicKey,
      counter: credential.counter,
      device_type: credential.deviceType,
      backed_up: credential.backedUp,
      transports: [...credential.transports],
      aaguid: credential.aaguid,
      attestation_type: credential.attestationType,
    })
    .onConflict('credential_id')
    .ignore()
    .returning('*');
  return rows[0];
}

/**
 * Records a use in ONE statement that succeeds only if the signature counter
 * went up (or the authenticator never counts: 0 stays 0). A cloned
 * authenticator replays counters it already used; two parallel uses of one
 * counter value cannot both win either.
 */
export async function recordCredentialUse(knex: Knex, id: string, use: { counter: number; backedUp: boolean }): Promise<boolean> {
  const rows = await knex('webauthn_credentials')
    .where({ id })
    .andWhere((q) => q.where('counter', '<', use.counter).orWhere((zero) => zero.where('counter', 0).andWhere(knex.raw('?::bigint = 0', [use.counter]))))
    .update({ counter: use.counter, backed_up: use.backedUp, last_used_at: knex.fn.now() })
    .returning('id');
  return rows.length === 1;
}

export async function renameCredential(knex: Knex, userId: string, id: string, name: string): Promise<CredentialRow | undefined> {
  const rows: CredentialRow[] = await knex('webauthn_credentials').where({ id, user_id: userId }).update({ name }).returning('*');
  return rows[0];
}

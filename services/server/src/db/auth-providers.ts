import type { Knex } from 'knex';

/** A social identity linked to an account: the upstream (`type`) and the person's subject there. */
export type AuthProviderRow = {
  id: string;
  user_id: string;
  type: string;
  provider_id: string;
  email: string | null;
  claims: Record<string, unknown>;
  metadata: Record<string, unknown>;
  linked_at: Date;
  updated_at: Date;
  last_used_at: Date | null;
};

export type UpstreamClaims = { email: string | null; claims: Record<string, unknown>; metadata?: Record<string, unknown> };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findLinkedIdentity(knex: Knex, type: string, providerId: string): Promise<AuthProviderRow | undefined> {
  return knex<AuthProviderRow>('auth_providers').where({ type, provider_id: providerId }).first();
}

/** Links an identity; undefined when (type, provider_id) is already linked (to anyone), so a transaction stays usable. */
export async function insertLinkedIdentity(knex: Knex, row: { userId: string; type: string; providerId: string } & UpstreamClaims): Promise<string | undefined> {
  const rows: Array<{ id: string }> = await knex('auth_providers')
    .insert({
      user_id: row.userId,
      type: row.type,
      provider_id: row.providerId,
      email: row.email,
      claims: JSON.stringify(row.claims),
      metadata: JSON.stringify(row.metadata ?? {}),
      last_used_at: knex.fn.now(),
    })
    .onConflict(['type', 'provider_id'])
    .ignore()
    .returning('id');
  return rows[0]?.id;
}

/** The upstream's latest claims, on each sign-in with the identity. */
export async function touchLinkedIdentity(knex: Knex, id: string, latest: UpstreamClaims): Promise<void> {
  await knex('auth_providers')
    .where({ id })
    .update({ email: latest.email, claims: JSON.stringify(latest.claims), updated_at: knex.fn.now(), last_used_at: knex.fn.now() });
}

export async function listLinkedIdentities(knex: Knex, userId: string): Promise<AuthProviderRow[]> {
  return knex<AuthProviderRow>('auth_providers').where({ user_id: userId }).orderBy([{ column: 'linked_at', order: 'asc' }, { column: 'id', order: 'asc' }]);
}

/** Deletes one of the user's identities; the deleted row, or undefined (anyone else's id is "not found"). */
export async function deleteLinkedIdentity(knex: Knex, userId: string, id: string): Promise<AuthProviderRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const rows = (await knex('auth_providers').where({ id, user_id: userId }).delete().returning('*')) as AuthProviderRow[];
  return rows[0];
}

/** Every identity of the user but `keepId`: an address's rightful owner takes over an account nobody had proved. */
export async function deleteOtherIdentities(knex: Knex, userId: string, keepId?: string): Promise<number> {
  const query = knex('auth_providers').where({ user_id: userId });
  if (keepId) query.whereNot({ id: keepId });
  return Number(await query.delete());
}

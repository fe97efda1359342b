import type { Knex } from 'knex';

/** Query module for personal API tokens (`api_tokens`, `api_token_owners`). */

export type ApiTokenRow = {
  id: string;
  owner_id: string;
  name: string;
  token_prefix: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  blocked: boolean;
  revoked_at: Date | null;
};

/** A token with what deciding its validity needs: its owner's standing. */
export type ApiTokenForAuth = ApiTokenRow & {
  user_id: string;
  user_status: string;
  user_role: string;
  user_scopes: string[];
  user_locked: boolean;
  expired: boolean;
};

/**
 * The token whose keyed hash is one of `hashes` (the token under every listed
 * secret), with its owner, whatever its state: the caller decides.
 */
export async function findApiTokenByHashes(knex: Knex, hashes: readonly string[]): Promise<ApiTokenForAuth | undefined> {
  if (hashes.length === 0) return undefined;
  return knex('api_tokens as t')
    .join('api_token_owners as o', 'o.id', 't.owner_id')
    .join('users as u', 'u.id', 'o.user_id')
    .whereIn('t.token_hash', [...hashes])
    .first(
      't.id', 't.owner_id', 't.name', 't.token_prefix', 't.scopes', 't.created_at', 't.expires_at', 't.last_used_at',
      't.blocked', 't.revoked_at',
      'u.id as user_id', 'u.status as user_status', 'u.role as user_role', 'u.scopes as user_scopes',
      knex.raw('coalesce(u.locked_until > now(), false) as user_locked'),
      knex.raw('coalesce(t.expires_at <= now(), false) as expired'),
    );
}

/**
 * Records a use. At most one write per token per minute: the WHERE makes a
 * busy token's requests no-ops instead of a hot row lock.
 */
export async function touchApiToken(knex: Knex, id: string, _ip?: string): Promise<void> {
  await knex('api_tokens')
    .where({ id })
    .andWhere((q) => q.whereNull('last_used_at').orWhere('last_used_at', '<', knex.raw(`now() - interval '1 minute'`)))
    .update({ last_used_at: knex.fn.now() });
}

import type { Knex } from 'knex';
import { keyset, pageOf, type Position } from './keyset.ts';

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
  last_used_ip: string | null;
  blocked: boolean;
  revoked_at: Date | null;
};

/** A token as lists show it: with its owner's user id. */
export type ApiTokenListed = ApiTokenRow & { user_id: string };

/** A token with what deciding its validity needs: its owner's standing. */
export type ApiTokenForAuth = ApiTokenListed & {
  user_status: string;
  user_role: string;
  user_scopes: string[];
  user_locked: boolean;
  expired: boolean;
};

export type ApiTokenStatus = 'active' | 'expired' | 'revoked' | 'blocked';

const COLUMNS = [
  't.id', 't.owner_id', 't.name', 't.token_prefix', 't.scopes', 't.created_at', 't.expires_at', 't.last_used_at',
  't.last_used_ip', 't.blocked', 't.revoked_at', 'o.user_id',
];

const RETURNING = ['id', 'owner_id', 'name', 'token_prefix', 'scopes', 'created_at', 'expires_at', 'last_used_at', 'last_used_ip', 'blocked', 'revoked_at'];

const withOwner = (knex: Knex) => knex('api_tokens as t').join('api_token_owners as o', 'o.id', 't.owner_id');

/** The owner row of a user's tokens, created on first use. */
export async function ensureTokenOwner(knex: Knex, userId: string): Promise<string> {
  const [row] = await knex('api_token_owners')
    .insert({ user_id: userId })
    .onConflict('user_id')
    .merge({ user_id: knex.raw('excluded.user_id') })
    .returning('id');
  return (row as { id: string }).id;
}

export type NewApiToken = { ownerId: string; name: string; tokenHash: string; tokenPrefix: string; scopes: readonly string[]; expiresAt: Date };

/** Inserts a token; undefined when the owner already has one with this name. */
export async function insertApiToken(knex: Knex, token: NewApiToken): Promise<ApiTokenRow | undefined> {
  const rows = await knex('api_tokens')
    .insert({
      owner_id: token.ownerId,
      name: token.name,
      token_hash: token.tokenHash,
      token_prefix: token.tokenPrefix,
      scopes: [...token.scopes],
      expires_at: token.expiresAt,
    })
    .onConflict(['owner_id', 'name'])
    .ignore()
    .returning(RETURNING);
  return rows[0] as ApiTokenRow | undefined;
}

/**
 * The token whose keyed hash is one of `hashes` (the token under every listed
 * secret), with its owner, whatever its state: the caller decides.
 */
export async function findApiTokenByHashes(knex: Knex, hashes: readonly string[]): Promise<ApiTokenForAuth | undefined> {
  if (hashes.length === 0) return undefined;
  return withOwner(knex)
    .join('users as u', 'u.id', 'o.user_id')
    .whereIn('t.token_hash', [...hashes])
    .first(
      ...COLUMNS,
      'u.status as user_status', 'u.role as user_role', 'u.scopes as user_scopes',
      knex.raw('coalesce(u.locked_until > now(), false) as user_locked'),
      knex.raw('coalesce(t.expires_at <= now(), false) as expired'),
    );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One token by id, optionally only if `userId` owns it. */
export async function findApiToken(knex: Knex, id: string, userId?: string): Promise<ApiTokenListed | undefined> {
  if (!UUID.test(id)) return undefined;
  const query = withOwner(knex).where('t.id', id);
  if (userId !== undefined) query.andWhere('o.user_id', userId);
  return query.first(...COLUMNS);
}

function whereStatus(query: Knex.QueryBuilder, knex: Knex, status: ApiTokenStatus): Knex.QueryBuilder {
  switch (status) {
    case 'revoked':
      return query.whereNotNull('t.revoked_at');
    case 'blocked':
      return query.whereNull('t.revoked_at').andWhere('t.blocked', true);
    case 'expired':
      return query.whereNull('t.revoked_at').andWhere('t.blocked', false).andWhere('t.expires_at', '<=', knex.fn.now());
    case 'active':
      return query.whereNull('t.revoked_at').andWhere('t.blocked', false).andWhere('t.expires_at', '>', knex.fn.now());
  }
}

export type ApiTokenListQuery = {
  userId?: string;
  status?: ApiTokenStatus;
  order: 'asc' | 'desc';
  after?: Position;
  limit: number;
};

/** Tokens by creation time, keyset-paginated on (created_at, id); the position follows the last row when more follow. */
export async function listApiTokens(knex: Knex, query: ApiTokenListQuery): Promise<{ rows: ApiTokenListed[]; next: Position | null }> {
  if (query.userId !== undefined && !UUID.test(query.userId)) return { rows: [], next: null };
  const q = withOwner(knex).select(...COLUMNS);
  if (query.userId !== undefined) q.where('o.user_id', query.userId);
  if (query.status) whereStatus(q, knex, query.status);
  const order = { key: 't.created_at', kind: 'timestamptz', id: 't.id', idType: 'uuid', desc: query.order === 'desc' } as const;
  const rows = (await keyset(q, knex, order, query.after, query.limit)) as Array<ApiTokenListed & { keyset_key: string }>;
  return pageOf(rows, query.limit, (row) => row.id);
}

/** Revokes (for good); undefined when no such token (or not the user's). Revoking twice keeps the first time. */
export async function revokeApiToken(knex: Knex, id: string, userId?: string): Promise<ApiTokenRow | undefined> {
  const token = await findApiToken(knex, id, userId);
  if (!token) return undefined;
  const [row] = await knex('api_tokens')
    .where({ id })
    .update({ revoked_at: knex.raw('coalesce(revoked_at, now())') })
    .returning(RETURNING);
  return row as ApiTokenRow;
}

/** Blocks or unblocks (reversible, unlike revoking); undefined when no such token. */
export async function setApiTokenBlocked(knex: Knex, id: string, blocked: boolean): Promise<ApiTokenRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const [row] = await knex('api_tokens').where({ id }).update({ blocked }).returning(RETURNING);
  return row as ApiTokenRow | undefined;
}

/**
 * Records a use and where from. At most one write per token per minute: the
 * WHERE makes a busy token's other requests no-ops instead of a hot row lock.
 */
export async function touchApiToken(knex: Knex, id: string, ip?: string): Promise<void> {
  await knex('api_tokens')
    .where({ id })
    .andWhere((q) => q.whereNull('last_used_at').orWhere('last_used_at', '<', knex.raw(`now() - interval '1 minute'`)))
    .update({ last_used_at: knex.fn.now(), last_used_ip: ip === undefined ? null : ip.slice(0, 64) });
}

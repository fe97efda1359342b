import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';
import { findActiveUser } from '../db/users.ts';
import {
  ensureTokenOwner,
  findApiToken,
  insertApiToken,
  listApiTokens,
  revokeApiToken,
  setApiTokenBlocked,
  type ApiTokenRow,
  type ApiTokenStatus,
} from '../db/api-tokens.ts';
import type { Position } from '../db/keyset.ts';
import { recordActorEvent, type Actor } from '../events/actor.ts';
import { displayPrefix, generatePersonalToken } from './format.ts';
import { scopesBeyondOwner } from './scopes.ts';

/**
 * Personal API tokens: create (shown once), list, revoke, block, unblock.
 * The account API, the admin API and the account console all call these.
 */

export type TokenDeps = { knex: Knex; keyring: Keyring };

/** Tokens live at most a year: a leaked token that nobody revokes dies eventually. */
export const MAX_TOKEN_LIFETIME_DAYS = 365;
export const TOKEN_NAME_MAX = 100;

/** What lists and the create response show: never the hash. */
export type TokenView = {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  scopes: string[];
  status: ApiTokenStatus;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
  revoked_at: string | null;
};

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

export function statusOf(row: Pick<ApiTokenRow, 'revoked_at' | 'blocked' | 'expires_at'>, now = Date.now()): ApiTokenStatus {
  if (row.revoked_at) return 'revoked';
  if (row.blocked) return 'blocked';
  if (row.expires_at && new Date(row.expires_at).getTime() <= now) return 'expired';
  return 'active';
}

export function tokenView(row: ApiTokenRow, userId: string): TokenView {
  return {
    id: row.id,
    user_id: userId,
    name: row.name,
    prefix: row.token_prefix,
    scopes: row.scopes,
    status: statusOf(row),
    created_at: iso(row.created_at)!,
    expires_at: iso(row.expires_at),
    last_used_at: iso(row.last_used_at),
    last_used_ip: row.last_used_ip,
    revoked_at: iso(row.revoked_at),
  };
}

export type CreateTokenInput = { userId: string; name: string; scopes: readonly string[]; expiresInDays: number };

export type CreateTokenResult =
  | { ok: true; token: string; view: TokenView }
  | { ok: false; problem: 'not_found' | 'conflict' | 'scope_not_held' | 'invalid'; detail: string };

export async function createPersonalToken(deps: TokenDeps, input: CreateTokenInput, actor: Actor): Promise<CreateTokenResult> {
  const name = input.name.trim();
  if (!name || name.length > TOKEN_NAME_MAX) return { ok: false, problem: 'invalid', detail: `name must be 1 to ${TOKEN_NAME_MAX} characters` };
  if (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1 || input.expiresInDays > MAX_TOKEN_LIFETIME_DAYS) {
    return { ok: false, problem: 'invalid', detail: `expires_in_days must be a whole number from 1 to ${MAX_TOKEN_LIFETIME_DAYS}` };
  }
  const scopes = [...new Set(input.scopes)].sort();
  if (scopes.length === 0) return { ok: false, problem: 'invalid', detail: 'a token needs at least one scope' };
  return deps.knex.transaction(async (trx): Promise<CreateTokenResult> => {
    const user = await findActiveUser(trx, input.userId);
    if (!user) return { ok: false, problem: 'not_found', detail: 'no such active user' };
    const beyond = scopesBeyondOwner(user, scopes);
    if (beyond.length) return { ok: false, problem: 'scope_not_held', detail: `the owner does not hold: ${beyond.join(' ')}` };
    const token = generatePersonalToken();
    const row = await insertApiToken(trx, {
      ownerId: await ensureTokenOwner(trx, user.id),
      name,
      tokenHash: deps.keyring.hash('api-token', token),
      tokenPrefix: displayPrefix(token),
      scopes,
      expiresAt: new Date(Date.now() + input.expiresInDays * 86_400_000),
    });
    if (!row) return { ok: false, problem: 'conflict', detail: `a token named "${name}" already exists` };
    await recordActorEvent(trx, actor, {
      type: 'api_token.created',
      subjectUserId: user.id,
      data: { api_token_id: row.id, name, scopes, expires_at: iso(row.expires_at) },
    });
    return { ok: true, token, view: tokenView(row, user.id) };
  });
}

export type ListTokensInput = { userId?: string; status?: ApiTokenStatus; order: 'asc' | 'desc'; after?: Position; limit: number };

export async function listPersonalTokens(deps: Pick<TokenDeps, 'knex'>, input: ListTokensInput): Promise<{ items: TokenView[]; next: Position | null }> {
  const { rows, next } = await listApiTokens(deps.knex, input);
  return { items: rows.map((row) => tokenView(row, row.user_id)), next };
}

export async function getPersonalToken(deps: Pick<TokenDeps, 'knex'>, id: string, userId?: string): Promise<TokenView | undefined> {
  const row = await findApiToken(deps.knex, id, userId);
  return row ? tokenView(row, row.user_id) : undefined;
}

type Change = 'revoke' | 'block' | 'unblock';

const EVENT = { revoke: 'api_token.revoked', block: 'api_token.blocked', unblock: 'api_token.unblocked' } as const;

/**
 * Revokes (for good), blocks or unblocks a token; `ownerUserId` restricts it
 * to that user's tokens (the account API). Undefined: no such token. Takes
 * effect at once: every check reads Postgres.
 */
export async function changePersonalToken(
  deps: Pick<TokenDeps, 'knex'>,
  id: string,
  change: Change,
  actor: Actor,
  ownerUserId?: string,
): Promise<TokenView | undefined> {
  return deps.knex.transaction(async (trx) => {
    const existing = await findApiToken(trx, id, ownerUserId);
    if (!existing) return undefined;
    const row = change === 'revoke' ? await revokeApiToken(trx, id) : await setApiTokenBlocked(trx, id, change === 'block');
    if (!row) return undefined;
    await recordActorEvent(trx, actor, { type: EVENT[change], subjectUserId: existing.user_id, data: { api_token_id: id, name: existing.name } });
    return tokenView(row, existing.user_id);
  });
}

import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';
import { findApiTokenByHashes, touchApiToken } from '../db/api-tokens.ts';
import { isWellFormedPersonalToken } from './format.ts';
import { effectiveScopes } from './scopes.ts';

export type PersonalTokenPrincipal = { userId: string; tokenId: string; scopes: string[] };

export type VerifyDeps = { knex: Knex; keyring: Keyring };

/**
 * The principal behind a personal API token, or undefined when the token is
 * malformed, unknown, revoked, blocked, expired, or its owner is not active
 * (blocked, deleted, locked). Scopes the owner no longer holds are dropped.
 * A malformed token (bad checksum) never reaches the database.
 */
export async function authenticatePersonalToken(deps: VerifyDeps, token: string, meta: { ip?: string }): Promise<PersonalTokenPrincipal | undefined> {
  const found = await lookupPersonalToken(deps, token);
  if (!found) return undefined;
  await touchApiToken(deps.knex, found.tokenId, meta.ip);
  return { userId: found.userId, tokenId: found.tokenId, scopes: found.scopes };
}

/** Like authenticatePersonalToken without recording a use (introspection is not a use by the owner). */
export async function lookupPersonalToken(
  deps: VerifyDeps,
  token: string,
): Promise<(PersonalTokenPrincipal & { expiresAt: Date | null; issuedAt: Date; name: string }) | undefined> {
  if (!isWellFormedPersonalToken(token)) return undefined;
  const row = await findApiTokenByHashes(deps.knex, deps.keyring.hashes('api-token', token));
  if (!row) return undefined;
  if (row.revoked_at || row.blocked || row.expired) return undefined;
  if (row.user_status !== 'active' || row.user_locked) return undefined;
  return {
    userId: row.user_id,
    tokenId: row.id,
    scopes: effectiveScopes({ role: row.user_role, scopes: row.user_scopes }, row.scopes),
    expiresAt: row.expires_at,
    issuedAt: row.created_at,
    name: row.name,
  };
}

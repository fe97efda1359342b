import type { Knex } from 'knex';
import type { Account, FindAccount } from 'oidc-provider';
import { findActiveUser, type UserRow } from '../db/users.ts';

/** Standard claims a user row can answer, by the scope that releases them. */
export const CLAIMS_BY_SCOPE = {
  openid: ['sub'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username', 'picture', 'updated_at'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
} as const;

export function userClaims(user: UserRow): Record<string, unknown> {
  const name = user.display_name ?? ([user.first_name, user.last_name].filter(Boolean).join(' ') || undefined);
  return {
    sub: user.id,
    name,
    given_name: user.first_name ?? undefined,
    family_name: user.last_name ?? undefined,
    preferred_username: user.username ?? undefined,
    picture: user.avatar_url ?? undefined,
    updated_at: Math.floor(new Date(user.updated_at).getTime() / 1000),
    email: user.email ?? undefined,
    email_verified: user.email ? user.email_verified : undefined,
    phone_number: user.phone ?? undefined,
    phone_number_verified: user.phone ? user.phone_verified : undefined,
  };
}

/**
 * oidc-provider asks for an account whenever it issues or serves claims
 * (token endpoint, userinfo, a session's /auth); a blocked, deleted or
 * operator-locked user has no account, so their tokens and session stop
 * working at once. oidc-provider itself filters the claims down to what the
 * granted scopes allow.
 */
export function createFindAccount(knex: Knex): FindAccount {
  return async (_ctx, id): Promise<Account | undefined> => {
    const user = await findActiveUser(knex, id);
    if (!user) return undefined;
    return { accountId: user.id, claims: () => userClaims(user) as { sub: string } };
  };
}

/**
 * Whether a token's account may still use it. Introspection never asks
 * findAccount, so its policy calls this: a blocked, deleted or locked user's
 * tokens introspect as inactive even before their revocation is written.
 */
export function createAccountCheck(knex: Knex): (accountId: string | undefined) => Promise<boolean> {
  return async (accountId) => accountId === undefined || (await findActiveUser(knex, accountId)) !== undefined;
}

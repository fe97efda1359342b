import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';
import { insertInvitation } from '../db/invitations.ts';

/** Invitation codes carry 256 random bits; only their keyed hash is stored. */
export const newInvitationCode = () => randomBytes(32).toString('base64url');

export const invitationCodeHash = (keyring: Keyring, code: string) => keyring.hash('invitation', code.trim());
/** The code's hash under every listed secret (newest first), for lookups that must survive a secret rotation. */
export const invitationCodeHashes = (keyring: Keyring, code: string) => keyring.hashes('invitation', code.trim());

/** The page an invitation link opens: the stand-alone sign-up form with the code filled in. */
export const invitationUrl = (issuer: string, code: string) => `${issuer}/signup?invitation=${encodeURIComponent(code)}`;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
export const MAX_INVITATION_SECONDS = 365 * 86_400;

/** "7d", "12h", "30m", "90s" → seconds; undefined when not understood or out of range. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d{1,6})([smhd])$/.exec(value.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNITS[match[2]!]!;
  return seconds > 0 && seconds <= MAX_INVITATION_SECONDS ? seconds : undefined;
}

/** Scope tokens as RFC 6749 allows them. */
export const isScopeToken = (scope: string) => /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope);

export type CreatedInvitation = { id: string; code: string; url: string; expiresAt: Date | null };

export async function createInvitation(
  deps: { knex: Knex; keyring: Keyring; issuer: string },
  input: { email?: string | null; scopes?: readonly string[]; expiresInSeconds: number | null; createdBy?: string | null },
): Promise<CreatedInvitation> {
  const code = newInvitationCode();
  const row = await insertInvitation(deps.knex, {
    codeHash: invitationCodeHash(deps.keyring, code),
    email: input.email ?? null,
    scopes: [...new Set(input.scopes ?? [])],
    expiresInSeconds: input.expiresInSeconds,
    createdBy: input.createdBy ?? null,
  });
  return { id: row.id, code, url: invitationUrl(deps.issuer, code), expiresAt: row.expires_at };
}

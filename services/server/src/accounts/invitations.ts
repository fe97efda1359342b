import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';
import {
  findInvitation,
  insertInvitation,
  revokeInvitationRow,
  selectInvitationSummary,
  whereInvitationStatus,
  type InvitationRow,
  type InvitationStatus,
  type InvitationSummary,
} from '../db/invitations.ts';
import { keyset, pageOf, type Position } from '../db/keyset.ts';
import { recordActorEvent, type Actor } from '../events/actor.ts';
import { isValidEmail, normalizeEmail } from './email.ts';

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

export type InvitationInput = { email?: string | null; scopes?: readonly string[]; expiresInSeconds: number | null };

/** What is wrong with an invitation request, for the CLI's and the API's own messages. */
export type InvitationProblem = { problem: 'email_invalid' } | { problem: 'scope_invalid'; scope: string } | { problem: 'expiry_invalid' };

/** Checks an invitation request before anything touches the database. */
export function checkInvitation(input: InvitationInput): { ok: true; invitation: InvitationInput } | ({ ok: false } & InvitationProblem) {
  const email = input.email === undefined || input.email === null ? null : normalizeEmail(input.email);
  if (email !== null && !isValidEmail(email)) return { ok: false, problem: 'email_invalid' };
  const scopes = input.scopes ?? [];
  const bad = scopes.find((scope) => !isScopeToken(scope));
  if (bad !== undefined) return { ok: false, problem: 'scope_invalid', scope: bad };
  const seconds = input.expiresInSeconds;
  if (seconds !== null && !(Number.isInteger(seconds) && seconds > 0 && seconds <= MAX_INVITATION_SECONDS)) return { ok: false, problem: 'expiry_invalid' };
  return { ok: true, invitation: { email, scopes, expiresInSeconds: seconds } };
}

/**
 * An invitation made by an operator or an admin (`latchkey invitations
 * create`, `POST /api/v1/admin/invitations`), with its `invitation.created`
 * event in the same transaction. The code is returned once and never stored.
 */
export async function issueInvitation(
  deps: { knex: Knex; keyring: Keyring; issuer: string },
  input: InvitationInput,
  options: { actor: Actor },
): Promise<{ ok: true; invitation: CreatedInvitation } | ({ ok: false } & InvitationProblem)> {
  const checked = checkInvitation(input);
  if (!checked.ok) return checked;
  const { email, scopes, expiresInSeconds } = checked.invitation;
  const createdBy = options.actor.actorUserId ?? null;
  const invitation = await deps.knex.transaction(async (trx) => {
    const created = await createInvitation({ ...deps, knex: trx }, { email, scopes, expiresInSeconds, createdBy });
    await recordActorEvent(trx, options.actor, {
      type: 'invitation.created',
      subject: { type: 'invitation', id: created.id },
      data: { scopes: [...new Set(scopes)], email_bound: email !== null, expires_at: created.expiresAt ? new Date(created.expiresAt).toISOString() : null },
    });
    return created;
  });
  return { ok: true, invitation };
}

/**
 * Revokes an invitation nobody has redeemed yet: its code stops working at
 * once (redemption re-checks `revoked_at` in its one statement). `redeemed`
 * and `revoked` say why nothing changed.
 */
export async function revokeInvitation(
  deps: { knex: Knex },
  invitationId: string,
  options: { actor: Actor },
): Promise<{ ok: true; invitation: InvitationRow } | { ok: false; problem: 'not_found' | 'redeemed' | 'revoked' }> {
  return deps.knex.transaction(async (trx) => {
    const revoked = await revokeInvitationRow(trx, invitationId);
    if (!revoked) {
      const row = await findInvitation(trx, invitationId);
      return { ok: false, problem: !row ? 'not_found' : row.redeemed_at ? 'redeemed' : 'revoked' };
    }
    await recordActorEvent(trx, options.actor, { type: 'invitation.revoked', subject: { type: 'invitation', id: revoked.id } });
    return { ok: true, invitation: revoked };
  });
}

export type InvitationFilter = { status?: InvitationStatus; sort: 'created_at' | '-created_at' };

export async function listInvitations(knex: Knex, filter: InvitationFilter, page: { limit: number; after?: Position }): Promise<{ items: InvitationSummary[]; next: Position | null }> {
  const query = selectInvitationSummary(knex);
  if (filter.status) whereInvitationStatus(query, filter.status);
  keyset(query, knex, { key: 'created_at', kind: 'timestamptz', id: 'id', idType: 'uuid', desc: filter.sort === '-created_at' }, page.after, page.limit);
  const { rows, next } = pageOf((await query) as Array<InvitationSummary & { keyset_key: string }>, page.limit, (row) => row.id);
  return { items: rows, next };
}

export async function getInvitation(knex: Knex, id: string): Promise<InvitationSummary | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
  return (await selectInvitationSummary(knex).where({ id }).first()) as InvitationSummary | undefined;
}

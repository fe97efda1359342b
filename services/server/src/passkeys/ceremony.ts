import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Knex } from 'knex';
import type { Config } from '../config/env.ts';
import { consumeChallenge, findCredential, insertChallenge, recordCredentialUse, type CredentialRow, type NewCredential } from '../db/webauthn.ts';

/**
 * The WebAuthn ceremonies (@simplewebauthn/server), with every challenge
 * stored and burned in webauthn_challenges and every counter checked in
 * one statement (db/webauthn.ts). The RP ID and the expected origin come
 * from the configured issuer, never from the request.
 */

// The library (with its ASN.1 and CBOR parsers) is loaded at the first ceremony, not at start.
const webauthn = () => import('@simplewebauthn/server');

export type PasskeyAmr = 'hwk' | 'swk';
type Deps = { config: Config; db: { knex: Knex } };

/** Long enough for conditional UI, which waits on the sign-in page until the person picks a passkey. */
export const CHALLENGE_TTL_SECONDS = 10 * 60;
const TIMEOUT_MS = 5 * 60 * 1000;

export function relyingParty(config: Config): { id: string; origin: string; name: string } {
  const issuer = new URL(config.issuer);
  return { id: issuer.hostname, origin: issuer.origin, name: config.brand.productName };
}

/** A synced (backed-up, multi-device) passkey is 'swk'; one bound to its device is 'hwk' (RFC 8176). */
export const amrOf = (deviceType: string): PasskeyAmr => (deviceType === 'multiDevice' ? 'swk' : 'hwk');

/** The user handle we register: the account id's bytes, so an assertion names its account. */
const userHandleOf = (userId: string) => new TextEncoder().encode(userId);

const descriptor = (row: CredentialRow) => ({ id: row.credential_id, transports: row.transports as never[] });

export async function authenticationOptions(
  deps: Deps,
  o: { flowId: string; userId?: string; allow?: readonly CredentialRow[]; userVerification: 'required' | 'preferred' | 'discouraged' },
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const rp = relyingParty(deps.config);
  const { generateAuthenticationOptions } = await webauthn();
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: (o.allow ?? []).map(descriptor),
    userVerification: o.userVerification,
    timeout: TIMEOUT_MS,
  });
  await insertChallenge(deps.db.knex, {
    challenge: options.challenge,
    purpose: 'authentication',
    flowId: o.flowId,
    userId: o.userId ?? null,
    allowedCredentialIds: (o.allow ?? []).map((row) => row.credential_id),
    userVerification: o.userVerification,
    ttlSeconds: CHALLENGE_TTL_SECONDS,
  });
  return options;
}

export async function registrationOptions(
  deps: Deps,
  o: { flowId: string; user: { id: string; email: string | null; display_name: string | null }; exclude: readonly CredentialRow[]; userVerification: 'required' | 'preferred' },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const rp = relyingParty(deps.config);
  const { generateRegistrationOptions } = await webauthn();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userID: userHandleOf(o.user.id),
    userName: o.user.email ?? o.user.id,
    userDisplayName: o.user.display_name ?? o.user.email ?? '',
    timeout: TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: o.exclude.map(descriptor),
    // Discoverable, so the passkey alone (no typed address) signs in.
    authenticatorSelection: { residentKey: 'required', userVerification: o.userVerification },
  });
  await insertChallenge(deps.db.knex, {
    challenge: options.challenge,
    purpose: 'registration',
    flowId: o.flowId,
    userId: o.user.id,
    userVerification: o.userVerification,
    ttlSeconds: CHALLENGE_TTL_SECONDS,
  });
  return options;
}

const isText = (value: unknown, max = 16_384): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;

/** The challenge a response answers, read from its clientDataJSON (checked again by the library). */
function challengeOf(clientDataJSON: string): string | undefined {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    return isText(data.challenge, 512) ? data.challenge : undefined;
  } catch {
    return undefined;
  }
}

type Parsed<T> = { response: T; challenge: string };

/** A browser's assertion as posted in the form's `response` field, or undefined when it is not one. */
export function parseAssertion(raw: unknown): Parsed<AuthenticationResponseJSON> | undefined {
  const value = parseJson(raw);
  const r = value?.response as Record<string, unknown> | undefined;
  if (!value || value.type !== 'public-key' || !isText(value.id, 1024) || !isText(value.rawId, 1024) || !r) return undefined;
  if (!isText(r.clientDataJSON) || !isText(r.authenticatorData) || !isText(r.signature)) return undefined;
  if (r.userHandle !== undefined && r.userHandle !== null && !isText(r.userHandle, 1024)) return undefined;
  const challenge = challengeOf(r.clientDataJSON);
  return challenge ? { response: value as unknown as AuthenticationResponseJSON, challenge } : undefined;
}

/** A browser's new credential as posted in the form's `response` field, or undefined when it is not one. */
export function parseRegistration(raw: unknown): Parsed<RegistrationResponseJSON> | undefined {
  const value = parseJson(raw);
  const r = value?.response as Record<string, unknown> | undefined;
  if (!value || value.type !== 'public-key' || !isText(value.id, 1024) || !isText(value.rawId, 1024) || !r) return undefined;
  if (!isText(r.clientDataJSON) || !isText(r.attestationObject)) return undefined;
  const challenge = challengeOf(r.clientDataJSON);
  return challenge ? { response: value as unknown as RegistrationResponseJSON, challenge } : undefined;
}

function parseJson(raw: unknown): Record<string, unknown> | undefined {
  if (!isText(raw)) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Why an assertion was refused, for the audit log only (the person is told one thing). */
export type AssertionRefusal = 'passkey_challenge' | 'passkey_unknown' | 'passkey_not_allowed' | 'passkey_signature' | 'passkey_counter';

export type AssertionResult = { ok: true; credential: CredentialRow; amr: PasskeyAmr } | { ok: false; reason: AssertionRefusal; credential?: CredentialRow };

/**
 * Checks an assertion: burns its challenge (bound to this flow), finds the
 * credential (it must be one the challenge allowed, and the account's own
 * when `userId` is given), verifies the signature for our RP ID and origin,
 * then saves the counter only if it went up.
 */
export async function verifyAssertion(
  deps: Deps,
  o: { flowId: string; parsed: Parsed<AuthenticationResponseJSON>; userId?: string; requireUserVerification: boolean },
): Promise<AssertionResult> {
  const { knex } = deps.db;
  const challenge = await consumeChallenge(knex, { challenge: o.parsed.challenge, purpose: 'authentication', flowId: o.flowId });
  if (!challenge) return { ok: false, reason: 'passkey_challenge' };
  const credential = await findCredential(knex, o.parsed.response.id);
  if (!credential) return { ok: false, reason: 'passkey_unknown' };
  const allowed = challenge.allowed_credential_ids.length === 0 || challenge.allowed_credential_ids.includes(credential.credential_id);
  // A challenge issued for one account (a second factor) serves that account's credentials only.
  const owner = [challenge.user_id, o.userId].every((userId) => !userId || userId === credential.user_id);
  const handle = o.parsed.response.response.userHandle;
  const handleMatches = !handle || Buffer.from(handle, 'base64url').toString('utf8') === credential.user_id;
  if (!allowed || !owner || !handleMatches) return { ok: false, reason: 'passkey_not_allowed', credential };
  const rp = relyingParty(deps.config);
  const { verifyAuthenticationResponse } = await webauthn();
  let info;
  try {
    const verified = await verifyAuthenticationResponse({
      response: o.parsed.response,
      expectedChallenge: o.parsed.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      // The counter is judged below, atomically, against the stored value (the library's check would race).
      credential: { id: credential.credential_id, publicKey: Buffer.from(credential.public_key, 'base64url'), counter: 0, transports: credential.transports as never[] },
      requireUserVerification: o.requireUserVerification,
    });
    if (!verified.verified) return { ok: false, reason: 'passkey_signature', credential };
    info = verified.authenticationInfo;
  } catch {
    return { ok: false, reason: 'passkey_signature', credential };
  }
  if (!(await recordCredentialUse(knex, credential.id, { counter: info.newCounter, backedUp: info.credentialBackedUp }))) {
    return { ok: false, reason: 'passkey_counter', credential };
  }
  return { ok: true, credential, amr: amrOf(info.credentialDeviceType) };
}

export type RegistrationResult = { ok: true; credential: Omit<NewCredential, 'name'>; amr: PasskeyAmr } | { ok: false };

/** Checks a new credential for `userId`: burns its challenge (this flow's, issued for this account) and verifies it. */
export async function verifyRegistration(
  deps: Deps,
  o: { flowId: string; parsed: Parsed<RegistrationResponseJSON>; userId: string; requireUserVerification: boolean },
): Promise<RegistrationResult> {
  const challenge = await consumeChallenge(deps.db.knex, { challenge: o.parsed.challenge, purpose: 'registration', flowId: o.flowId });
  if (!challenge || challenge.user_id !== o.userId) return { ok: false };
  const rp = relyingParty(deps.config);
  const { verifyRegistrationResponse } = await webauthn();
  try {
    const verified = await verifyRegistrationResponse({
      response: o.parsed.response,
      expectedChallenge: o.parsed.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: o.requireUserVerification,
    });
    if (!verified.verified) return { ok: false };
    const info = verified.registrationInfo;
    return {
      ok: true,
      amr: amrOf(info.credentialDeviceType),
      credential: {
        credentialId: info.credential.id,
        userId: o.userId,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        transports: (o.parsed.response.response.transports ?? []).filter((value) => typeof value === 'string').slice(0, 10),
        aaguid: info.aaguid,
        attestationType: info.fmt,
      },
    };
  } catch {
    return { ok: false };
  }
}

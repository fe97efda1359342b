/**
 * A person as an upstream vouched for them, in one shape for every
 * upstream. `emailVerified` is true only when the upstream said so in its
 * own, explicit way (OIDC `email_verified: true`, GitHub's primary+verified
 * address); anything else is untrusted.
 */
export type UpstreamIdentity = {
  /** The upstream's id: github, google, apple, or a generic upstream's lower-cased name. */
  upstream: string;
  /** The person's stable id at the upstream (OIDC `sub`, GitHub's numeric id). */
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  /** What the upstream said about them, kept in auth_providers.claims (never tokens). */
  claims: Record<string, unknown>;
};

const MAX_CLAIMS_BYTES = 16 * 1024;

/** Strings only, trimmed and bounded; an address must look like one. */
export function cleanEmail(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim().toLowerCase();
  return email.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(email) ? email : null;
}

export const cleanName = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() ? [...value.trim()].slice(0, 100).join('') : null;

/** The claims worth keeping: no nonce or token hashes, no NUL (Postgres refuses it), nothing huge (a hostile upstream could send megabytes). */
export function keptClaims(claims: Record<string, unknown>): Record<string, unknown> {
  const { nonce: _nonce, at_hash: _atHash, c_hash: _cHash, ...rest } = claims;
  const json = JSON.stringify(rest, (_key, value: unknown) => (typeof value === 'string' ? value.replaceAll('\u0000', '') : value));
  const clean = JSON.parse(json) as Record<string, unknown>;
  if (json.length <= MAX_CLAIMS_BYTES) return clean;
  const small = Object.fromEntries(['iss', 'sub', 'email', 'email_verified', 'name', 'login', 'id'].filter((key) => key in clean).map((key) => [key, clean[key]]));
  return JSON.stringify(small).length <= MAX_CLAIMS_BYTES ? small : {};
}

/** What a verified Latchkey access token says (RFC 9068 claims, `scope` split into an array). */
export type AccessTokenClaims = {
  iss: string;
  /** The user, or the client itself for a client-credentials token. */
  sub: string;
  aud: string[];
  client_id: string;
  /** Granted scopes. */
  scope: string[];
  exp: number;
  iat: number;
  jti?: string;
  nbf?: number;
  auth_time?: number;
  acr?: string;
  amr?: string[];
  /** Present on DPoP-bound tokens: the thumbprint of the key the caller must prove. */
  cnf?: { jkt?: string };
  [claim: string]: unknown;
};

export const splitScope = (value: unknown): string[] => (typeof value === 'string' ? value.split(' ').filter(Boolean) : []);

export const audiences = (value: unknown): string[] => [value ?? []].flat().filter((a): a is string => typeof a === 'string');

/** The scopes of `required` missing from `granted`. */
export function missingScopes(granted: readonly string[], required: readonly string[] | undefined): string[] {
  if (!required?.length) return [];
  const have = new Set(granted);
  return required.filter((scope) => !have.has(scope));
}

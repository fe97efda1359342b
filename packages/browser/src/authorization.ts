import { LatchkeyError } from './errors.ts';

/** What signIn() keeps (in this tab's sessionStorage) until the redirect comes back. */
export type Transaction = { state: string; nonce: string; verifier: string; returnTo?: string };

/**
 * Checks an authorization response and returns its code. Order matters:
 * state first (is this our request?), then the RFC 9207 `iss` (is it from our
 * issuer? — a mix-up attack swaps in another server's response), and only
 * then the error or code it carries.
 */
export function checkAuthorizationResponse(
  params: URLSearchParams,
  expected: { state: string; issuer: string; issRequired?: boolean },
): string {
  if (params.get('state') !== expected.state) throw new LatchkeyError('state_mismatch', 'the response is not for the sign-in this tab started');
  const iss = params.get('iss');
  if (iss === null ? expected.issRequired : iss !== expected.issuer) {
    throw new LatchkeyError('issuer_mismatch', `the response is not from ${expected.issuer}`);
  }
  const error = params.get('error');
  if (error) throw new LatchkeyError(error, params.get('error_description') ?? error);
  const code = params.get('code');
  if (!code) throw new LatchkeyError('invalid_response', 'the response carries no code');
  return code;
}

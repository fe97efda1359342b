import type { Keyring } from '../crypto/keyring.ts';

/**
 * The session id an API sees in its access tokens (`sid`) and in the
 * session-revoked events sent to it: base64url(HMAC-SHA256(key,
 * `${audience}\n${sessionUid}`)) cut to 22 characters (132 bits). Keyed
 * per audience so two APIs cannot correlate one person's sessions, and the
 * browser session's uid (which works as a cookie-side handle) never leaves
 * Latchkey. The key is derived for this purpose alone; rotating
 * LATCHKEY_SECRETS changes the ids of tokens issued after the rotation.
 */
export function pairwiseSessionId(keyring: Keyring, audience: string, sessionUid: string): string {
  return keyring.hash('pairwise-session', `${audience}\n${sessionUid}`).slice(0, 22);
}

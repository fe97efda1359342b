import type { Keyring } from '../crypto/keyring.ts';
import { pairwiseSessionId } from '../signals/pairwise.ts';

type TokenLike = { kind: string; grantId?: unknown; sessionUid?: unknown; aud?: unknown };

/**
 * The claims an access token carries to name what it belongs to: its grant
 * (`gid`) and, when a browser session issued it, that session as the API
 * may see it (`sid`, pairwiseSessionId for the token's audience). Client
 * credentials tokens have neither.
 */
export function accessTokenLinks(keyring: Keyring, token: TokenLike): { gid?: string; sid?: string } | undefined {
  if (token.kind !== 'AccessToken' || typeof token.grantId !== 'string') return undefined;
  const audience = Array.isArray(token.aud) ? token.aud[0] : token.aud;
  if (typeof token.sessionUid === 'string' && typeof audience === 'string') {
    return { gid: token.grantId, sid: pairwiseSessionId(keyring, audience, token.sessionUid) };
  }
  return { gid: token.grantId };
}

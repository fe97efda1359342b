/// <reference path="./passport-apple.d.ts" />
import { createPrivateKey, sign } from 'node:crypto';
import type { Request } from 'express';
import AppleStrategy from '@nicokaiser/passport-apple';
import type { SocialUpstream } from '../config/social.ts';
import { cleanEmail, cleanName, type UpstreamIdentity } from './identity.ts';
import type { FlowRecord } from './state.ts';

type AppleUpstream = Extract<SocialUpstream, { kind: 'apple' }>;

const APPLE_AUDIENCE = 'https://appleid.apple.com';
/** Apple accepts up to six months; a short life limits what a leaked one is worth. */
const CLIENT_SECRET_SECONDS = 5 * 60;

/**
 * Apple's client secret: a JWT the team signs with its Sign in with Apple
 * key (ES256), naming the key (kid), the team (iss) and the service (sub).
 * https://developer.apple.com/documentation/accountorganizationaldatasharing/creating-a-client-secret
 */
export function appleClientSecret(upstream: Pick<AppleUpstream, 'clientId' | 'teamId' | 'keyId' | 'privateKey'>, now = Date.now()): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const iat = Math.floor(now / 1000);
  const input = `${encode({ alg: 'ES256', kid: upstream.keyId, typ: 'JWT' })}.${encode({ iss: upstream.teamId, iat, exp: iat + CLIENT_SECRET_SECONDS, aud: APPLE_AUDIENCE, sub: upstream.clientId })}`;
  const signature = sign('sha256', Buffer.from(input), { key: createPrivateKey(upstream.privateKey), dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

type AppleProfile = { id: string; email?: string; emailVerified?: boolean; name?: { firstName?: string; lastName?: string } };

/**
 * @nicokaiser/passport-apple, with the client secret above, and the nonce
 * always checked against the flow's (the library checks it only when the
 * token says nonce_supported). Its state handling stays off: the flow
 * record in the store is the state (social/state.ts).
 */
export function appleStrategy(upstream: AppleUpstream, callbackURL: string) {
  class Apple extends AppleStrategy {
    _getClientSecret(): string {
      return appleClientSecret(upstream);
    }

    verifyNonce(req: Request, _supported: unknown, nonce: unknown, callback: (error: Error | null, ok: boolean) => void): void {
      const record = (req as Request & { socialFlow?: FlowRecord }).socialFlow;
      callback(null, Boolean(record) && typeof nonce === 'string' && nonce === record!.nonce);
    }
  }
  return new Apple(
    { clientID: upstream.clientId, teamID: upstream.teamId, keyID: upstream.keyId, key: upstream.privateKey, scope: ['name', 'email'], callbackURL, passReqToCallback: false },
    (_accessToken: string, _refreshToken: string, profile: AppleProfile, done: (error: Error | null, user?: UpstreamIdentity) => void) => {
      const name = [profile.name?.firstName, profile.name?.lastName].filter((part) => typeof part === 'string' && part.trim()).join(' ');
      done(null, {
        upstream: upstream.id,
        subject: String(profile.id),
        email: cleanEmail(profile.email),
        emailVerified: profile.emailVerified === true,
        name: cleanName(name),
        claims: { sub: profile.id, email: profile.email ?? null, email_verified: profile.emailVerified === true },
      });
    },
  );
}

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import { SignJWT, decodeJwt, importJWK, type JWK } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import { freePort } from './server.ts';

export type UpstreamAccount = { email?: string; email_verified?: unknown; name?: string };

/**
 * A second, real oidc-provider as the social-login upstream ("generic OpenID
 * Connect"). Its login is a stand-in that signs in whoever `next` names (or
 * answers access_denied when `deny` is set), so a test chooses the person
 * at the upstream without a form. Cookie names differ from Latchkey's, since
 * the tests' cookie jar does not separate hosts.
 */
export type OidcUpstream = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, UpstreamAccount>;
  /** The subject the upstream's login signs in next. */
  next: string;
  deny: boolean;
  /** Every authorization request the upstream saw (its query). */
  authorizations: URLSearchParams[];
  /** Misbehave at the token endpoint: answer 503, break the ID token's signature, or re-sign it with changed claims. */
  tokenEndpoint: 'ok' | 'down' | 'bad-signature' | { claims: (claims: Record<string, unknown>) => Record<string, unknown> };
  provider: Provider;
  close: () => Promise<void>;
};

export async function startOidcUpstream(redirectUris: string[], options: { port?: number; extra?: Configuration } = {}): Promise<OidcUpstream> {
  const port = options.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = `latchkey-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const accounts = new Map<string, UpstreamAccount>();
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: redirectUris, grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [{ ...key, kid: 'upstream', alg: 'RS256', use: 'sig' }] } as Configuration['jwks'],
    cookies: { keys: [randomBytes(32).toString('base64url')], names: { session: 'up_session', interaction: 'up_interaction', resume: 'up_resume' } },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      return account ? { accountId: sub, claims: () => ({ sub, ...account }) } : undefined;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    ...options.extra,
    features: { devInteractions: { enabled: false }, ...options.extra?.features },
  });
  const upstream: OidcUpstream = { issuer, clientId, clientSecret, accounts, next: '', deny: false, authorizations: [], tokenEndpoint: 'ok', provider, close: async () => {} };

  const signingKey = await importJWK({ ...key, alg: 'RS256' } as JWK, 'RS256');
  provider.use(async (ctx, next) => {
    const mode = upstream.tokenEndpoint;
    if (ctx.path !== '/token' || mode === 'ok') return next();
    if (mode === 'down') {
      ctx.status = 503;
      ctx.body = 'temporarily unavailable';
      return;
    }
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (!body?.id_token) return;
    if (mode === 'bad-signature') {
      const [header, payload, signature] = body.id_token.split('.');
      body.id_token = `${header}.${payload}.${signature!.startsWith('A') ? 'B' : 'A'}${signature!.slice(1)}`;
    } else {
      body.id_token = await new SignJWT(mode.claims(decodeJwt(body.id_token) as Record<string, unknown>)).setProtectedHeader({ alg: 'RS256', kid: 'upstream' }).sign(signingKey);
    }
  });

  const app = express();
  app.use((req, _res, next) => {
    if (req.path === '/auth') upstream.authorizations.push(new URL(req.originalUrl, issuer).searchParams);
    next();
  });
  app.get('/interaction/:uid', async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      if (upstream.deny) {
        await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the person said no' }, { mergeWithLastSubmission: false });
        return;
      }
      const accountId = upstream.next;
      const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope ?? 'openid'));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
    } catch (error) {
      next(error);
    }
  });
  app.use(provider.callback());
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(port, '127.0.0.1', () => resolve(listening));
  });
  upstream.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return upstream;
}

/** The Latchkey env that configures `upstream` as the generic upstream NAME. */
export const upstreamEnv = (name: string, upstream: OidcUpstream, label?: string): Record<string, string> => ({
  [`LATCHKEY_OIDC_${name}_ISSUER`]: upstream.issuer,
  [`LATCHKEY_OIDC_${name}_CLIENT_ID`]: upstream.clientId,
  [`LATCHKEY_OIDC_${name}_CLIENT_SECRET`]: upstream.clientSecret,
  ...(label ? { [`LATCHKEY_OIDC_${name}_LABEL`]: label } : {}),
});

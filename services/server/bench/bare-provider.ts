/**
 * The "bare" baseline: oidc-provider 9 in Express 5 with its in-memory
 * adapter, configured like Latchkey where the benchmark looks (client
 * credentials, RFC 8707 resources with ES256 and RS256 JWT access tokens,
 * introspection, PKCE, devInteractions off with a minimal login page).
 * Everything comes from BENCH_BARE_CONFIG (JSON); it prints nothing and
 * answers discovery once ready.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import express from 'express';
import Provider, { errors, type JWK } from 'oidc-provider';

export type BareConfig = {
  port: number;
  issuer: string;
  cc: { client_id: string; client_secret: string };
  web: { client_id: string; client_secret: string; redirect_uri: string };
  /** resource identifier → signing alg */
  resources: Record<string, 'ES256' | 'RS256'>;
  scope: string;
};

const config = JSON.parse(process.env.BENCH_BARE_CONFIG ?? '') as BareConfig;

const jwk = (type: 'rsa' | 'ec', alg: string) => {
  const { privateKey } = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: `${alg.toLowerCase()}-bench` } as JWK;
};

const provider = new Provider(config.issuer, {
  clients: [
    { ...config.cc, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic' },
    { ...config.web, redirect_uris: [config.web.redirect_uri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' },
  ],
  jwks: { keys: [jwk('rsa', 'RS256'), jwk('ec', 'ES256')] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  pkce: { required: () => true },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => undefined as unknown as string,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, indicator) => {
        const alg = config.resources[indicator];
        if (!alg) throw new errors.InvalidTarget('unknown resource');
        return { scope: config.scope, audience: indicator, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg } } };
      },
    },
  },
});

const app = express();
// The stand-in for a hosted sign-in page: load the interaction, render a form.
app.get('/interaction/:uid', async (req, res, next) => {
  try {
    const details = await provider.interactionDetails(req, res);
    res
      .type('html')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head><body><main><h1>Sign in</h1>` +
          `<form method="post" action="/interaction/${details.uid}/login"><label>Email <input name="email" type="email" autocomplete="username" required></label>` +
          `<label>Password <input name="password" type="password" autocomplete="current-password" required></label><button>Continue</button></form></main></body></html>`,
      );
  } catch (error) {
    next(error);
  }
});
app.use(provider.callback());
app.listen(config.port, '127.0.0.1');
// A normal exit on SIGTERM, so `--cpu-prof` writes its profile (--profile-target bare).
process.on('SIGTERM', () => process.exit(0));

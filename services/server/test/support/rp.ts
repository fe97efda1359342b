import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import type { TestServer } from './server.ts';

/**
 * A relying party as an app would be: its own tiny web server on a loopback
 * port (so the browser really lands on its callback), and openid-client 6
 * for the protocol. ID token signatures are checked against the provider's
 * JWKS (enableNonRepudiationChecks → oauth4webapi's
 * validateApplicationLevelSignature), which openid-client skips by default.
 */
export type RelyingParty = {
  origin: string;
  callbackUrl: string;
  loggedOutUrl: string;
  /** Every URL the browser opened on the RP, in order. */
  hits: URL[];
  /** Registers an RP client in the provider's database and discovers the provider. */
  register: (server: TestServer, options?: RegisterOptions) => Promise<RpClient>;
  close: () => Promise<void>;
};

export type RegisterOptions = { name?: string; firstParty?: boolean; public?: boolean };

export type AuthorizationRequest = { url: URL; state: string; nonce: string; verifier: string };

export type RpClient = {
  clientId: string;
  name: string;
  config: client.Configuration;
  /** An authorization URL with PKCE S256, state and nonce. */
  authorizationRequest: (parameters?: Record<string, string>) => Promise<AuthorizationRequest>;
  /** Exchanges the code in the URL the browser landed on; validates state, nonce, PKCE and the ID token signature. */
  finish: (callback: URL, request: AuthorizationRequest) => Promise<Awaited<ReturnType<typeof client.authorizationCodeGrant>>>;
  refresh: (refreshToken: string) => Promise<Awaited<ReturnType<typeof client.refreshTokenGrant>>>;
  /** RP-initiated logout URL back to the registered post-logout URI. */
  endSessionUrl: (idToken: string, state?: string) => URL;
};

export async function startRelyingParty(): Promise<RelyingParty> {
  const hits: URL[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    hits.push(url);
    const status = url.searchParams.get('error') ?? (url.searchParams.has('code') ? 'code received' : 'ok');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>RP</title><h1>Relying party: ${url.pathname}</h1><p id="status">${status.replace(/[^\w .-]/g, '')}</p>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const callbackUrl = `${origin}/callback`;
  const loggedOutUrl = `${origin}/logged-out`;

  return {
    origin,
    callbackUrl,
    loggedOutUrl,
    hits,
    async register(provider, options = {}) {
      const name = options.name ?? `Demo App ${randomBytes(3).toString('hex')}`;
      const created = await provider.createClient({
        name,
        public: options.public,
        redirect_uris: [callbackUrl],
        post_logout_redirect_uris: [loggedOutUrl],
        first_party: options.firstParty ?? false,
      });
      const config = await client.discovery(
        new URL(provider.issuer),
        created.client_id,
        created.client_secret ? { client_secret: created.client_secret } : {},
        created.client_secret ? client.ClientSecretBasic(created.client_secret) : client.None(),
        { execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks] },
      );
      return {
        clientId: created.client_id,
        name,
        config,
        async authorizationRequest(parameters = {}) {
          const verifier = client.randomPKCECodeVerifier();
          const state = client.randomState();
          const nonce = client.randomNonce();
          const url = client.buildAuthorizationUrl(config, {
            redirect_uri: callbackUrl,
            scope: 'openid email profile',
            code_challenge: await client.calculatePKCECodeChallenge(verifier),
            code_challenge_method: 'S256',
            state,
            nonce,
            ...parameters,
          });
          return { url, state, nonce, verifier };
        },
        finish(callback, request) {
          return client.authorizationCodeGrant(config, callback, {
            pkceCodeVerifier: request.verifier,
            expectedState: request.state,
            expectedNonce: request.nonce,
            idTokenExpected: true,
          });
        },
        refresh(refreshToken) {
          return client.refreshTokenGrant(config, refreshToken);
        },
        endSessionUrl(idToken, state) {
          return client.buildEndSessionUrl(config, {
            id_token_hint: idToken,
            post_logout_redirect_uri: loggedOutUrl,
            ...(state ? { state } : {}),
          });
        },
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

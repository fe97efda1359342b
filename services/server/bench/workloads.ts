/**
 * The workloads of issue 11's table. Each prepares, against one target,
 * the single request the loader repeats (a fresh token or interaction per
 * measurement, so nothing expires mid-run).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { LoadSpec } from './load.ts';
import type { Target } from './targets.ts';

export type Request = Pick<LoadSpec, 'url' | 'method' | 'headers' | 'body'>;
export type Workload = { name: string; label: string; connections?: number; prepare: (target: Target) => Promise<Request> };

const FORM = 'application/x-www-form-urlencoded';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

function tokenRequest(target: Target, params: Record<string, string>): Request {
  return {
    url: `${target.base}/token`,
    method: 'POST',
    headers: { authorization: basic(target.cc.client_id, target.cc.client_secret), 'content-type': FORM },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...params }).toString(),
  };
}

async function send(request: Request): Promise<Response> {
  return fetch(request.url, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' });
}

/** Checks the prepared request once, so a misconfigured target fails loudly instead of measuring errors. */
async function checked(name: string, request: Request, expect?: (body: Record<string, unknown>) => boolean): Promise<Request> {
  const response = await send(request);
  const text = await response.text();
  if (!response.ok) throw new Error(`${name}: ${request.method} ${request.url} answered ${response.status}: ${text.slice(0, 300)}`);
  if (expect && !expect(JSON.parse(text) as Record<string, unknown>)) throw new Error(`${name}: unexpected answer ${text.slice(0, 300)}`);
  return request;
}

const isJwt = (alg: string) => (body: Record<string, unknown>) =>
  typeof body.access_token === 'string' && JSON.parse(Buffer.from(body.access_token.split('.')[0]!, 'base64url').toString()).alg === alg;

export const WORKLOADS: Workload[] = [
  {
    name: 'token-opaque',
    label: '/token client_credentials, opaque',
    prepare: (t) => checked('token-opaque', tokenRequest(t, {}), (b) => typeof b.access_token === 'string' && b.access_token.split('.').length === 1),
  },
  {
    name: 'token-es256',
    label: '/token resource → JWT ES256',
    prepare: (t) => checked('token-es256', tokenRequest(t, { resource: t.resources.es256, scope: t.scope }), isJwt('ES256')),
  },
  {
    name: 'token-rs256',
    label: '/token resource → JWT RS256',
    prepare: (t) => checked('token-rs256', tokenRequest(t, { resource: t.resources.rs256, scope: t.scope }), isJwt('RS256')),
  },
  {
    name: 'introspection',
    label: 'introspection of an opaque token',
    async prepare(t) {
      const issued = (await (await send(tokenRequest(t, {}))).json()) as { access_token: string };
      return checked(
        'introspection',
        {
          url: `${t.base}/token/introspection`,
          method: 'POST',
          headers: { authorization: basic(t.cc.client_id, t.cc.client_secret), 'content-type': FORM },
          body: new URLSearchParams({ token: issued.access_token }).toString(),
        },
        (b) => b.active === true,
      );
    },
  },
  {
    name: 'discovery',
    label: 'discovery',
    prepare: (t) => checked('discovery', { url: `${t.base}/.well-known/openid-configuration`, method: 'GET', headers: {} }),
  },
  {
    name: 'jwks',
    label: 'JWKS',
    async prepare(t) {
      const discovery = (await (await fetch(`${t.base}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
      return checked('jwks', { url: discovery.jwks_uri, method: 'GET', headers: {} }, (b) => Array.isArray(b.keys) && b.keys.length > 0);
    },
  },
  {
    name: 'sign-in-page',
    label: 'sign-in page GET',
    connections: 100,
    // Start an authorization request as a browser would and keep its interaction cookies.
    async prepare(t) {
      const verifier = randomBytes(32).toString('base64url');
      const auth = new URL(`${t.base}/auth`);
      auth.search = new URLSearchParams({
        client_id: t.web.client_id,
        response_type: 'code',
        redirect_uri: t.web.redirect_uri,
        scope: 'openid',
        state: randomBytes(8).toString('hex'),
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      const response = await fetch(auth, { redirect: 'manual' });
      await response.body?.cancel();
      const location = response.headers.get('location');
      if (!location || !location.includes('/interaction/')) throw new Error(`sign-in-page: /auth answered ${response.status} without an interaction (${location})`);
      const cookie = response.headers
        .getSetCookie()
        .map((c) => c.split(';')[0]!)
        .join('; ');
      return checked('sign-in-page', { url: new URL(location, t.base).toString(), method: 'GET', headers: { cookie } });
    },
  },
];

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type GitHubUser = { id: number; login: string; name: string | null; emails: Array<{ email: string; primary: boolean; verified: boolean }> };

/**
 * A local server that answers like GitHub Enterprise Server's OAuth app
 * endpoints and REST API (the paths passport-github2 uses with
 * LATCHKEY_GITHUB_URL): /login/oauth/authorize (approves `next` at once, or
 * answers access_denied), /login/oauth/access_token (form-encoded answer,
 * GitHub's 200-with-error for a bad code, PKCE checked), /api/v3/user and
 * /api/v3/user/emails (bearer token).
 */
export type GitHubStandIn = {
  url: string;
  clientId: string;
  clientSecret: string;
  users: Map<number, GitHubUser>;
  next: number;
  deny: boolean;
  /** Answer the token endpoint with a 500 (GitHub having a bad day). */
  tokenEndpointDown: boolean;
  /** Every authorization request's query and token request's form, in order. */
  authorizations: URLSearchParams[];
  tokenRequests: URLSearchParams[];
  close: () => Promise<void>;
};

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => resolve(body));
  });

export async function startGitHubStandIn(): Promise<GitHubStandIn> {
  const codes = new Map<string, { user: number; redirectUri: string; challenge: string | null }>();
  const tokens = new Map<string, number>();
  const standIn: GitHubStandIn = {
    url: '',
    clientId: `Iv1.${randomBytes(8).toString('hex')}`,
    clientSecret: randomBytes(20).toString('hex'),
    users: new Map(),
    next: 0,
    deny: false,
    tokenEndpointDown: false,
    authorizations: [],
    tokenRequests: [],
    close: async () => {},
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', standIn.url);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      standIn.authorizations.push(url.searchParams);
      const redirect = new URL(url.searchParams.get('redirect_uri') ?? '');
      const state = url.searchParams.get('state');
      if (standIn.deny) {
        redirect.search = new URLSearchParams({ error: 'access_denied', error_description: 'The user has denied your application access.', ...(state ? { state } : {}) }).toString();
      } else {
        const code = randomBytes(10).toString('hex');
        codes.set(code, { user: standIn.next, redirectUri: redirect.href, challenge: url.searchParams.get('code_challenge') });
        redirect.search = new URLSearchParams({ code, ...(state ? { state } : {}) }).toString();
      }
      res.writeHead(302, { location: redirect.href });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const form = new URLSearchParams(await readBody(req));
      standIn.tokenRequests.push(form);
      if (standIn.tokenEndpointDown) return json(500, { message: 'Server Error' });
      const issued = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier');
      const pkceOk = issued && (!issued.challenge || (verifier && createHash('sha256').update(verifier).digest('base64url') === issued.challenge));
      const ok = issued && pkceOk && form.get('client_id') === standIn.clientId && form.get('client_secret') === standIn.clientSecret && form.get('redirect_uri') === issued.redirectUri;
      // GitHub answers a bad code with 200 and an error in the body.
      const body = ok
        ? (() => {
            const token = `gho_${randomBytes(18).toString('hex')}`;
            tokens.set(token, issued!.user);
            return { access_token: token, scope: 'read:user,user:email', token_type: 'bearer' };
          })()
        : { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' };
      if ((req.headers.accept ?? '').includes('application/json')) return json(200, body);
      res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
      return res.end(new URLSearchParams(body).toString());
    }
    if (req.method === 'GET' && url.pathname.startsWith('/api/v3/user')) {
      const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const user = token ? standIn.users.get(tokens.get(token) ?? -1) : undefined;
      if (!user) return json(401, { message: 'Bad credentials' });
      if (url.pathname === '/api/v3/user') {
        const primary = user.emails.find((entry) => entry.primary);
        return json(200, { login: user.login, id: user.id, name: user.name, email: primary?.email ?? null, html_url: `${standIn.url}/${user.login}`, avatar_url: null });
      }
      if (url.pathname === '/api/v3/user/emails') return json(200, user.emails.map((entry) => ({ ...entry, visibility: entry.primary ? 'public' : null })));
    }
    json(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return standIn;
}

export const gitHubEnv = (standIn: GitHubStandIn): Record<string, string> => ({
  LATCHKEY_GITHUB_CLIENT_ID: standIn.clientId,
  LATCHKEY_GITHUB_CLIENT_SECRET: standIn.clientSecret,
  LATCHKEY_GITHUB_URL: standIn.url,
});

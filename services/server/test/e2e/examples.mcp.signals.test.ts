import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminClient, type AdminClient } from '../../../../packages/node/src/index.ts';
import { hashPassword } from '../../src/password/hash.ts';
import { createResourceWithCredentials } from '../../src/resources/introspection-client.ts';
import { startApiTestServer } from '../support/api.ts';
import { authorize, CookieJar } from '../support/browser.ts';
import { hasChromium, launchChromium, noChromiumReason } from '../support/chromium.ts';
import { freePort, type TestServer } from '../support/server.ts';
import { signInWithPassword } from './fixture.ts';

const examplesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../examples');

/**
 * examples/mcp against a real Latchkey, with @latchkey/node receiving Shared
 * Signals from the server's own transmitter: an MCP-style client finds
 * Latchkey from the 401 alone and signs in with Chromium; then, with poll and
 * with push delivery, a revoked session and a blocked user are refused by the
 * example's locally verified JWTs within a second of the change (measured
 * from before the admin call to the first refusal, and printed).
 */
describe.skipIf(!hasChromium)(`examples/mcp with Shared Signals${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let latchkey: TestServer;
  let admin: AdminClient;
  let browser: Browser;
  let context: BrowserContext;
  let port: number;
  let resource: string;
  let credentials: { introspection_client_id: string; introspection_client_secret: string };
  let dir: string;

  beforeAll(async () => {
    [latchkey, browser, dir] = await Promise.all([startApiTestServer(), launchChromium(), mkdtemp(path.join(tmpdir(), 'latchkey-mcp-'))]);
    port = await freePort();
    resource = `http://127.0.0.1:${port}/mcp`;
    // What `examples/setup.mts` does with `latchkey resources create --signals`.
    ({ credentials } = await createResourceWithCredentials(
      { knex: latchkey.db.knex, issuer: latchkey.issuer, keyring: latchkey.keyring },
      { identifier: resource, scopes: ['notes:read'], signing_alg: 'ES256' },
      { actor: { actorType: 'operator', actorId: 'test' }, signals: true },
    ));
    const operator = await latchkey.createClient({ scope: 'sessions:write users:write', grant_types: ['client_credentials'] });
    admin = createAdminClient({ issuer: latchkey.issuer, clientId: operator.client_id, clientSecret: operator.client_secret!, scopes: ['sessions:write', 'users:write'] });
    context = await browser.newContext({ locale: 'en-US' });
    context.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await context?.close();
    await Promise.allSettled([browser?.close(), latchkey?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** `node examples/mcp/src/server.ts` as a developer runs it (settings as setup.mts writes them); ready once it receives signals. */
  async function startMcp(delivery: 'poll' | 'push') {
    const envFile = path.join(dir, `mcp-${delivery}.env`);
    const settings = {
      LATCHKEY_ISSUER: latchkey.issuer, MCP_RESOURCE: resource, INTROSPECTION_CLIENT_ID: credentials.introspection_client_id,
      INTROSPECTION_CLIENT_SECRET: credentials.introspection_client_secret, PORT: String(port), SIGNALS: delivery,
    };
    await writeFile(envFile, Object.entries(settings).map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 });
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', `--env-file=${envFile}`, path.join(examplesDir, 'mcp/src/server.ts')], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 20_000;
    while (!output.includes('receiving Shared Signals')) {
      if (child.exitCode !== null || output.includes('not received') || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`example MCP server did not start receiving: ${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      output: () => output,
      async close() {
        if (child.exitCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
  }

  const call = (token: string | undefined, method: string, params: Record<string, unknown> = {}) =>
    fetch(resource, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
  const works = async (token: string) => (await call(token, 'tools/call', { name: 'whoami' })).status === 200;

  /** A user's token for the MCP server from a code flow in `jar`'s browser session. */
  async function sessionToken(userId: string, jar = new CookieJar()): Promise<string> {
    const { client_id, client_secret, redirect_uri } = await latchkey.createClient({ scope: 'openid notes:read' });
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${latchkey.issuer}/auth`);
    url.search = new URLSearchParams({
      response_type: 'code', client_id, redirect_uri, scope: 'openid notes:read', resource, prompt: 'consent', state: 's',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    }).toString();
    const callback = await authorize(url, userId, redirect_uri, jar);
    const response = await fetch(`${latchkey.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri, code_verifier: verifier, resource }),
    });
    const body = (await response.json()) as { access_token: string };
    expect(response.status, JSON.stringify(body)).toBe(200);
    return body.access_token;
  }

  /** ms from `change` starting to the first refusal of every token (probing every 5 ms); fails past 1 s. */
  async function timeToRefusal(change: () => Promise<void>, tokens: string[]): Promise<number> {
    const started = performance.now();
    await change();
    const pending = new Set(tokens);
    while (pending.size) {
      for (const token of [...pending]) {
        const response = await call(token, 'tools/list');
        if (response.status === 401) {
          expect(await response.json()).toMatchObject({ error: 'invalid_token' });
          pending.delete(token);
        }
      }
      if (performance.now() - started > 1000) throw new Error(`${pending.size} token(s) still accepted 1 s after the change`);
      if (pending.size) await new Promise((r) => setTimeout(r, 5));
    }
    return performance.now() - started;
  }

  const sessionUid = async (userId: string, not: string[] = []) =>
    ((await latchkey.db.knex('sessions').where({ user_id: userId }).whereNotIn('uid', not).orderBy('created_at', 'desc').first('uid')) as { uid: string }).uid;

  it('an MCP client finds Latchkey from the 401, signs in with Chromium and calls the tool', async () => {
    const mcp = await startMcp('poll');
    try {
      const refused = await call(undefined, 'tools/list');
      expect(refused.status).toBe(401);
      const challenge = refused.headers.get('www-authenticate')!;
      const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
      expect(metadataUrl).toBe(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`);
      expect(challenge).toContain('scope="notes:read"');
      const metadata = (await (await fetch(metadataUrl!)).json()) as { resource: string; authorization_servers: string[]; scopes_supported: string[] };
      expect(metadata).toMatchObject({ resource, authorization_servers: [latchkey.issuer], scopes_supported: ['notes:read'] });
      // RFC 8414 first, then OpenID discovery, as MCP clients do.
      const as = metadata.authorization_servers[0]!;
      const server = (await fetch(`${as}/.well-known/oauth-authorization-server`).then((r) => (r.ok ? r.json() : fetch(`${as}/.well-known/openid-configuration`).then((o) => o.json())))) as {
        authorization_endpoint: string; token_endpoint: string; code_challenge_methods_supported: string[];
      };
      expect(server.code_challenge_methods_supported).toContain('S256');

      // A public client (PKCE, no secret), registered with the CLI's service.
      const { client_id, redirect_uri } = await latchkey.createClient({ public: true, scope: 'openid notes:read' });
      const email = `mcp-${randomBytes(4).toString('hex')}@example.com`;
      const password = `correct horse ${randomBytes(4).toString('hex')}`;
      const userId = await latchkey.createUser({ email, password_hash: await hashPassword(password), scopes: ['notes:read'] });
      const verifier = randomBytes(32).toString('base64url');
      const url = new URL(server.authorization_endpoint);
      url.search = new URLSearchParams({
        response_type: 'code', client_id, redirect_uri, scope: 'openid notes:read', resource, state: 'mcp',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
      }).toString();
      const page = await context.newPage();
      await page.route(`${redirect_uri}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'signed in' }));
      await page.goto(url.href);
      await signInWithPassword(page, email, password);
      await page.getByRole('button', { name: 'Allow', exact: true }).click();
      await page.waitForURL((u) => u.href.startsWith(redirect_uri));
      const code = new URL(page.url()).searchParams.get('code')!;
      await page.close();
      const tokenResponse = await fetch(server.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri, client_id, code_verifier: verifier, resource }),
      });
      const tokens = (await tokenResponse.json()) as { access_token: string };
      expect(tokenResponse.status, JSON.stringify(tokens)).toBe(200);

      const answer = await call(tokens.access_token, 'tools/call', { name: 'whoami' });
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as { result: { structuredContent: { sub: string; scopes: string[] } } };
      expect(body.result.structuredContent).toMatchObject({ sub: userId, scopes: ['notes:read'] });
    } finally {
      await mcp.close();
    }
  });

  for (const delivery of ['poll', 'push'] as const) {
    it(`${delivery}: a revoked session's JWT, then a blocked user's every JWT, refused within 1 s`, async () => {
      const mcp = await startMcp(delivery);
      try {
        const userId = await latchkey.createUser({ scopes: ['notes:read'] });
        const first = await sessionToken(userId);
        const firstUid = await sessionUid(userId);
        const second = await sessionToken(userId);
        const secondUid = await sessionUid(userId, [firstUid]);
        expect(await works(first)).toBe(true);
        expect(await works(second)).toBe(true);

        const sessionMs = await timeToRefusal(async () => {
          const revoked = await admin.POST('/api/v1/admin/sessions/{id}/revoke', { params: { path: { id: firstUid } }, body: {} });
          expect(revoked.response.status, JSON.stringify(revoked.error)).toBe(200);
        }, [first]);
        // Only that session: the user's other one still works.
        expect(await works(second)).toBe(true);
        expect(secondUid).not.toBe(firstUid);

        const third = await sessionToken(userId);
        const blockMs = await timeToRefusal(async () => {
          const blocked = await admin.POST('/api/v1/admin/users/{id}/block', { params: { path: { id: userId } }, body: { reason: 'test' } });
          expect(blocked.response.status, JSON.stringify(blocked.error)).toBe(200);
        }, [second, third]);
        console.log(`${delivery}: session revoke → first refusal ${sessionMs.toFixed(0)} ms; user block → all tokens refused ${blockMs.toFixed(0)} ms`);
        expect(mcp.output()).toMatch(/signal session-revoked .*"kind":"session"/);
        expect(mcp.output()).toMatch(/signal account-disabled .*"kind":"subject"/);
        expect(sessionMs).toBeLessThan(1000);
        expect(blockMs).toBeLessThan(1000);
      } finally {
        await mcp.close();
      }
    });
  }
});

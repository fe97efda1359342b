import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password/hash.ts';
import { realDatabaseUrl, freshPostgres } from './support/backends.ts';
import { hasChromium, launchChromium, noChromiumReason, openTab } from './support/chromium.ts';
import { startDocumentHost, type DocumentHost } from './support/metadata-document-host.ts';
import { spawnServer, type ServerProcess } from './support/process.ts';
import { freePort } from './support/server.ts';
import { signInWithPassword } from './e2e/fixture.ts';

/**
 * A client ID metadata document on an https host of this machine signs a
 * person in end to end: Latchkey in its own process (trusting the test CA
 * through NODE_EXTRA_CA_CERTS, reaching this machine through
 * LATCHKEY_OUTBOUND_PRIVATE=allow), openid-client as the public client with
 * PKCE, Chromium on the pages.
 */
const skip = !hasChromium || !realDatabaseUrl;
describe.skipIf(skip)(`client ID metadata documents, end to end${skip ? ` (skipped: ${hasChromium ? 'no LATCHKEY_TEST_DATABASE_URL' : noChromiumReason})` : ''}`, () => {
  let host: DocumentHost;
  let server: ServerProcess;
  let env: Record<string, string>;
  let pg: Awaited<ReturnType<typeof freshPostgres>>;
  let dataDir: string;
  let browser: Browser;
  let callbacks: Server;
  let callbackBase: string;

  beforeAll(async () => {
    [host, pg, browser, dataDir] = await Promise.all([startDocumentHost(), freshPostgres(), launchChromium(), mkdtemp(path.join(tmpdir(), 'latchkey-cimd-data-'))]);
    callbacks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('back at the client'));
    await new Promise<void>((resolve) => callbacks.listen(0, '127.0.0.1', resolve));
    callbackBase = `http://127.0.0.1:${(callbacks.address() as { port: number }).port}`;
    env = {
      PORT: String(await freePort()),
      DATABASE_URL: pg.url,
      LATCHKEY_DATA_DIR: dataDir,
      LATCHKEY_SECRETS: randomBytes(32).toString('base64url'),
      LATCHKEY_CIMD: 'any',
      LATCHKEY_OUTBOUND_PRIVATE: 'allow',
      NODE_EXTRA_CA_CERTS: host.caFile,
    };
    server = await spawnServer(env);
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.allSettled([browser?.close(), host?.close(), new Promise((resolve) => callbacks?.close(resolve))]);
    await pg?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const createUser = async () => {
    const email = `agent-user-${randomBytes(5).toString('hex')}@example.com`;
    const password = `correct horse ${randomBytes(4).toString('hex')} staple`;
    await pg.knex('users').insert({ email, email_verified: true, first_name: 'Ada', password_hash: await hashPassword(password) });
    return { email, password };
  };

  const document = (clientId: string, redirectUri: string, overrides: Record<string, unknown> = {}) => ({
    client_id: clientId,
    client_name: 'Research Agent',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...overrides,
  });

  /** Chromium signs in and allows; returns the callback URL the browser landed on and what the consent page said. */
  const signInAndAllow = async (authorizationUrl: URL, redirectUri: string) => {
    const user = await createUser();
    const tab = await openTab(browser);
    try {
      await tab.page.goto(authorizationUrl.href);
      await signInWithPassword(tab.page, user.email, user.password);
      const allow = tab.page.getByRole('button', { name: 'Allow', exact: true });
      await allow.waitFor();
      const lead = await tab.page.locator('p.lead').innerText();
      const hint = await tab.page.locator('p.client-host').innerText();
      await allow.click();
      await tab.page.waitForURL((url) => url.href.startsWith(redirectUri)).catch(async (error: Error) => {
        throw new Error(`${error.message}\nat ${tab.page.url()}: ${(await tab.page.locator('body').innerText()).slice(0, 500)}\n${server.output().slice(-3000)}`);
      });
      return { callback: new URL(tab.page.url()), lead, hint };
    } finally {
      await tab.close();
    }
  };

  const publicClient = (clientId: string) =>
    client.discovery(new URL(server.url), clientId, undefined, client.None(), { execute: [client.allowInsecureRequests] });

  it('advertises support in the authorization server metadata, with S256 and resource indicators', async () => {
    const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata.client_id_metadata_document_supported).toBe(true);
    expect(metadata.code_challenge_methods_supported).toContain('S256');
    expect(metadata.token_endpoint_auth_methods_supported).toContain('none');
  });

  it('signs in with PKCE as the document describes it; the consent page names the document host beside its name', async () => {
    const redirectUri = `${callbackBase}/callback`;
    const clientId = host.serve('/agent.json', document(`${host.origin}/agent.json`, redirectUri, { client_name: 'Research <b>Agent</b>', logo_uri: `${host.origin}/logo.png` }));
    const config = await publicClient(clientId);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const { callback, lead, hint } = await signInAndAllow(url, redirectUri);
    // The name is shown as text (escaped), with the host it came from.
    expect(lead).toBe(`Research <b>Agent</b> (from ${new URL(host.origin).host}) wants to:`);
    expect(hint).toContain(new URL(host.origin).host);
    // The page never made the server fetch the logo.
    expect(host.fetches.get('/logo.png')).toBeUndefined();

    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.access_token).toBeTypeOf('string');
    expect(tokens.claims()?.aud).toBe(clientId);
    // Fetched once: the authorization request, the consent page and the token request used the cached document.
    expect(host.fetches.get('/agent.json')).toBe(1);
  });

  it('refuses with a clear reason (and says why in the operator log): too large, too slow, mismatched client_id', async () => {
    const redirectUri = `${callbackBase}/callback`;
    const large = host.serve('/large.json', document(`${host.origin}/large.json`, redirectUri, { client_name: 'x'.repeat(6 * 1024) }));
    const slow = host.serve('/slow.json', document(`${host.origin}/slow.json`, redirectUri), { delayMs: 3500 });
    const mismatched = host.serve('/mismatch.json', document(`${host.origin}/someone-else.json`, redirectUri));
    const push = async (clientId: string) => {
      const response = await fetch(`${server.url}/request`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }),
      });
      return { status: response.status, body: (await response.json()) as { error: string; error_description: string } };
    };

    const tooLarge = await push(large);
    expect(tooLarge).toMatchObject({ status: 400, body: { error: 'invalid_client', error_description: 'client_id metadata document fetch failed' } });
    const started = Date.now();
    const tooSlow = await push(slow);
    expect(tooSlow).toMatchObject({ status: 400, body: { error: 'invalid_client', error_description: 'client_id metadata document fetch failed' } });
    expect(Date.now() - started).toBeLessThan(3400);
    const mismatch = await push(mismatched);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body).toMatchObject({ error: 'invalid_client_metadata', error_description: expect.stringMatching(/client_id does not match/) });

    // What the client is not told, the operator's log says (the child's last lines may still be on their way).
    const refusalLine = (clientId: string) => server.output().split('\n').find((line) => line.includes('client ID metadata document refused') && line.includes(clientId));
    for (const until = Date.now() + 2_000; Date.now() < until && ![large, slow, mismatched].every(refusalLine); ) await new Promise((r) => setTimeout(r, 25));
    const refusal = refusalLine;
    expect(refusal(large)).toMatch(/too large/);
    expect(refusal(slow)).toMatch(/within \d+ ?ms|abort|time/i);
    expect(refusal(mismatched)).toMatch(/does not match/);
  });

  it('a document that changed its redirect URIs after the code was issued cannot redeem it at the new one', async () => {
    const first = `${callbackBase}/first`;
    const second = `${callbackBase}/second`;
    const clientId = host.serve('/changing.json', document(`${host.origin}/changing.json`, first));
    const config = await publicClient(clientId);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: first, scope: 'openid', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const { callback } = await signInAndAllow(url, first);

    // The document now names another redirect URI; a restart drops the cached copy, so the next use fetches it again.
    host.serve('/changing.json', document(`${host.origin}/changing.json`, second));
    await server.stop();
    server = await spawnServer(env);
    const fetchesBefore = host.fetches.get('/changing.json') ?? 0;

    const code = callback.searchParams.get('code')!;
    const redeem = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: second, code_verifier: verifier, client_id: clientId }),
    });
    expect(redeem.status).toBe(400);
    expect(await redeem.json()).toMatchObject({ error: 'invalid_grant', error_description: 'grant request is invalid' });
    expect(host.fetches.get('/changing.json')).toBe(fetchesBefore + 1);

    // And a new authorization request for the URI the document dropped is refused before any page.
    const stale = await fetch(client.buildAuthorizationUrl(config, { redirect_uri: first, scope: 'openid', state, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }), { redirect: 'manual' });
    expect(stale.status).toBe(400);
    expect(await stale.text()).toMatch(/redirect_uri/);
  });
});

import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitation } from '../src/accounts/invitations.ts';
import { Keyring } from '../src/crypto/keyring.ts';
import { freshPostgres } from './support/backends.ts';
import { CookieJar } from './support/browser.ts';
import { post, startFlow } from './support/email-code-flow.ts';
import { runCli } from './support/process.ts';
import { canUseRealServices, freePort, startTestServer, type TestServer } from './support/server.ts';
import { extractCode, startMailCatcher, type MailCatcher } from './support/smtp.ts';

/**
 * The README's rotation, end to end: LATCHKEY_SECRETS=new,old must keep
 * everything made under `old` working (invitations, mailed codes, pending
 * sign-ups, CSRF'd forms); `keys re-encrypt` moves signing keys and TOTP seeds
 * to `new`; then `old` can go and the server still boots and signs.
 * Pending sign-ups live in the store, so this needs Redis across restarts.
 */
const PASSWORD = 'plum tree harbour lantern';
const SEED = 'JBSWY3DPEHPK3PXP';
const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

describe.skipIf(!canUseRealServices)('secret rotation (LATCHKEY_SECRETS=new,old)', () => {
  const A = randomBytes(32).toString('base64url');
  const B = randomBytes(32).toString('base64url');
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let mail: MailCatcher;
  let port: number;
  let s: TestServer | undefined;
  const boot = async (secrets: string) => {
    s = await startTestServer({ databaseUrl: db.url, port, secrets, env: { SMTP_URL: mail.url, LATCHKEY_SIGNUP: 'invite' } });
    return s;
  };
  const cli = (secrets: string, ...args: string[]) => runCli(args, { DATABASE_URL: db.url, LATCHKEY_SECRETS: secrets, LATCHKEY_ISSUER: `http://localhost:${port}` });

  beforeAll(async () => {
    db = await freshPostgres();
    mail = await startMailCatcher();
    port = await freePort();
  });
  afterAll(async () => {
    await s?.stop();
    await mail?.close();
    await db?.close();
  });

  it('keeps old invitations, codes, sign-ups and forms working, re-encrypts, then runs on the new secret alone', { timeout: 60_000 }, async () => {
    const tag = `${process.pid}-${randomBytes(3).toString('hex')}`;
    const old = new Keyring([A]);
    let server = await boot(A);
    const issuer = server.issuer;

    // Made under A: an outstanding invitation, a sign-up waiting for its code (stand-alone page,
    // flow cookie + CSRF form), a sign-in code, and a TOTP seed.
    const later = await createInvitation({ knex: server.db.knex, keyring: old, issuer }, { expiresInSeconds: 3600, scopes: ['later'] });
    const linked = await createInvitation({ knex: server.db.knex, keyring: old, issuer }, { expiresInSeconds: 3600, scopes: ['linked'] });
    const jar = new CookieJar();
    const submit = async (path: string, csrf: string, fields: Record<string, string>) => {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, ...fields }).toString(),
      });
      jar.store(response);
      return response;
    };
    const open = await fetch(linked.url.replace(issuer, server.url), { headers: { cookie: jar.header() } });
    jar.store(open);
    const linkedEmail = `linked-${tag}@example.com`;
    expect((await submit('/signup', csrfOf(await open.text()), { email: linkedEmail, password: PASSWORD, invitation: linked.code })).status).toBe(303);
    const codePage = await fetch(`${server.url}/signup/verify`, { headers: { cookie: jar.header() } });
    const codeForm = csrfOf(await codePage.text());
    const signUpCode = extractCode(await mail.nextMailTo(linkedEmail));

    const member = `member-${tag}@example.com`;
    await server.createUser({ email: member });
    await server.db.knex('users').where({ email: member }).update({ totp_secret: old.encrypt('totp-seed', SEED) });
    const flow = await startFlow(server);
    expect((await post(flow, `/interaction/${flow.uid}/email-code`, { email: member })).status).toBe(200);
    const signInCode = extractCode(await mail.nextMailTo(member));
    await server.stop();

    // Rotation step 1: the new secret first, the old one still listed.
    server = await boot(`${B},${A}`);
    flow.server = server;
    const signedIn = await post(flow, `/interaction/${flow.uid}/email-code/verify`, { email: member, code: signInCode });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toMatch(/\/auth\//);

    const done = await submit('/signup/verify', codeForm, { code: signUpCode });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Your account is ready');
    expect(await server.db.knex('users').where({ email: linkedEmail }).first()).toMatchObject({ email_verified: true, scopes: ['linked'] });

    const lateEmail = `late-${tag}@example.com`;
    const second = await startFlow(server);
    expect((await post(second, `/interaction/${second.uid}/signup`, { email: lateEmail, password: PASSWORD, invitation: later.code })).status).toBe(303);
    const proved = await post(second, `/interaction/${second.uid}/signup/verify`, { code: extractCode(await mail.nextMailTo(lateEmail)) });
    expect(proved.status).toBe(303);
    expect(await server.db.knex('users').where({ email: lateEmail }).first()).toMatchObject({ scopes: ['later'] });

    // Step 2: re-encrypt under the newest secret; a second run finds nothing to do.
    const first = await cli(`${B},${A}`, 'keys', 're-encrypt', '--json');
    expect(first.code, first.stderr).toBe(0);
    const moved = JSON.parse(first.stdout) as { signing_keys: { reencrypted: number; total: number }; totp_seeds: { reencrypted: number; total: number } };
    expect(moved.signing_keys.total).toBeGreaterThanOrEqual(2);
    expect(moved.signing_keys.reencrypted).toBe(moved.signing_keys.total);
    expect(moved.totp_seeds).toEqual({ reencrypted: 1, total: 1 });
    const again = JSON.parse((await cli(`${B},${A}`, 'keys', 're-encrypt', '--json')).stdout);
    expect(again).toEqual({ signing_keys: { reencrypted: 0, total: moved.signing_keys.total }, totp_seeds: { reencrypted: 0, total: 1 }, webhook_secrets: { reencrypted: 0, total: 0 } });
    expect(await server.db.knex('audit_events').where({ type: 'secrets.reencrypted', actor_type: 'operator' })).toHaveLength(1);
    await server.stop();

    // Step 3: the old secret is dropped. The server boots, decrypts its keys and signs.
    server = await boot(B);
    const seed = (await server.db.knex('users').where({ email: member }).first()).totp_secret as string;
    expect(new Keyring([B]).decrypt('totp-seed', seed)).toBe(SEED);
    const api = 'https://api.example.com';
    await server.createResource(api, ['read'], 300);
    const { client_id, client_secret } = await server.createClient({ scope: 'read' });
    const config = await client.discovery(new URL(issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });
    const tokens = await client.clientCredentialsGrant(config, { resource: api, scope: 'read' });
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${issuer}/jwks`)), { issuer, audience: api });
    expect(payload).toMatchObject({ client_id, scope: 'read' });
  });
});

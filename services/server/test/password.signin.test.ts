import { createHash, randomBytes } from 'node:crypto';
import { parseOptions } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../src/password/hash.ts';
import { PASSWORD_HASH_PARAMS } from '../src/password/params.ts';
import { CookieJar } from './support/browser.ts';
import { get, post, startFlow, type Flow } from './support/email-code-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

let n = 0;
const address = (label: string) => `${label}-${process.pid}-${(n += 1)}@example.com`;
const PASSWORD = 'plum tree harbour lantern';
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

describe.each(backends)('password sign-in (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(() => server?.stop());

  const signIn = (flow: Flow, email: string, password: string) => post(flow, `/interaction/${flow.uid}/password`, { email, password });
  const storedHash = async (id: string) => (await server.db.knex('users').where({ id }).first()).password_hash as string;

  it('shows an email + password form with the password-manager tokens, a code button, and links to sign up and reset', async () => {
    const flow = await startFlow(server);
    const response = await get(flow, `/interaction/${flow.uid}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const page = await response.text();
    // `webauthn`: the field's autofill also offers passkeys (conditional UI).
    expect(page).toMatch(/<input id="email" name="email" type="email"[^>]*autocomplete="username webauthn"/);
    expect(page).toMatch(/<input id="password" name="password" type="password"[^>]*autocomplete="current-password"/);
    expect(page).toContain(`action="/interaction/${flow.uid}/password"`);
    expect(page).toMatch(new RegExp(`formaction="/interaction/${flow.uid}/email-code"[^>]*formnovalidate>Email me a sign-in code`));
    expect(page).toContain(`href="/interaction/${flow.uid}/signup"`);
    expect(page).toContain(`href="/interaction/${flow.uid}/reset">Forgot your password?`);
  });

  it('fills the address in from login_hint', async () => {
    const { client_id, redirect_uri } = await server.createClient();
    const url = new URL(`${server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id, redirect_uri, response_type: 'code', scope: 'openid', login_hint: 'hinted@example.com',
      code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'), code_challenge_method: 'S256',
    }).toString();
    const jar = new CookieJar();
    let response = await fetch(url, { redirect: 'manual' });
    jar.store(response);
    response = await fetch(new URL(response.headers.get('location')!, url), { headers: { cookie: jar.header() } });
    expect(await response.text()).toMatch(/<input id="email" name="email" type="email" value="hinted@example.com"/);
  });

  it('signs in with the right password and refuses a wrong one', async () => {
    const email = address('right');
    const id = await server.createUser({ email, password_hash: await hashPassword(PASSWORD) });
    const wrong = await signIn(await startFlow(server), email, 'plum tree harbour lanterns');
    expect(wrong.status).toBe(401);
    const page = await wrong.text();
    expect(page).toContain('That email and password do not match an account');
    expect(page).toContain(`value="${email}"`);
    expect(page).not.toContain('plum tree');

    const flow = await startFlow(server);
    const right = await signIn(flow, email.toUpperCase(), PASSWORD);
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toMatch(/\/auth\//);
    // The provider carries on with this account: its session now names the user.
    const resumed = await get(flow, new URL(right.headers.get('location')!, server.url).pathname);
    expect([302, 303]).toContain(resumed.status);
    expect(await server.db.knex('users').where({ id }).first()).toBeDefined();
  });

  it('rehashes a password stored with older parameters on a successful sign-in, and only then', async () => {
    const email = address('rehash');
    const old = await hashPassword(PASSWORD, { ...PASSWORD_HASH_PARAMS, memoryCost: 8192, timeCost: 1 });
    const id = await server.createUser({ email, password_hash: old });

    expect((await signIn(await startFlow(server), email, 'not the password')).status).toBe(401);
    expect(await storedHash(id)).toBe(old);

    expect((await signIn(await startFlow(server), email, PASSWORD)).status).toBe(303);
    const fresh = await storedHash(id);
    expect(fresh).not.toBe(old);
    expect(parseOptions(fresh)).toMatchObject({ memoryCost: PASSWORD_HASH_PARAMS.memoryCost, timeCost: PASSWORD_HASH_PARAMS.timeCost });
    expect(await verifyPassword(fresh, PASSWORD)).toBe(true);

    // Already current: left alone.
    expect((await signIn(await startFlow(server), email, PASSWORD)).status).toBe(303);
    expect(await storedHash(id)).toBe(fresh);
  });

  it('answers an unknown address, a wrong password and an account without a password identically', async () => {
    const known = address('known');
    const noPassword = address('nopw');
    const unknown = address('unknown');
    await server.createUser({ email: known, password_hash: await hashPassword(PASSWORD) });
    await server.createUser({ email: noPassword });
    const flow = await startFlow(server);
    const attempt = async (email: string) => {
      const response = await signIn(flow, email, 'some wrong passphrase');
      const page = (await response.text()).replaceAll(email, 'EMAIL');
      return { status: response.status, type: response.headers.get('content-type'), page };
    };
    const a = await attempt(known);
    const b = await attempt(unknown);
    const c = await attempt(noPassword);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(a.status).toBe(401);
  });

  it('takes as long for an unknown address as for a wrong password', async () => {
    const flow = await startFlow(server);
    const hash = await hashPassword(PASSWORD);
    // A fresh account each round, so no per-account back-off muddies the timing.
    const known = async () => {
      const email = address('timed');
      await server.createUser({ email, password_hash: hash });
      return email;
    };
    const time = async (email: string) => {
      const start = performance.now();
      const response = await signIn(flow, email, 'some wrong passphrase');
      await response.arrayBuffer();
      expect(response.status).toBe(401);
      return performance.now() - start;
    };
    await time(await known());
    await time(address('warm'));
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      knownTimes.push(await time(await known()));
      unknownTimes.push(await time(address('missing')));
    }
    const ratio = median(unknownTimes) / median(knownTimes);
    // Without the dummy hash an unknown address answers in a fraction of the
    // time (ratio ≈ 0.2). The band is wide because other test files share the CPU.
    expect(ratio).toBeGreaterThan(0.45);
    expect(ratio).toBeLessThan(2.2);
  });

  it('does not sign in a blocked account, even with the right password', async () => {
    const email = address('blocked');
    await server.createUser({ email, password_hash: await hashPassword(PASSWORD), status: 'blocked' });
    const response = await signIn(await startFlow(server), email, PASSWORD);
    expect(response.status).not.toBe(303);
    expect(response.headers.get('location')).toBeNull();
  });

  it('asks for both fields, next to each, without a 500', async () => {
    const flow = await startFlow(server);
    const response = await post(flow, `/interaction/${flow.uid}/password`, {});
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('Enter your email address');
    expect(page).toContain('Enter your password');
    expect(page).toMatch(/<input id="password"[^>]*aria-invalid="true"/);
  });
});

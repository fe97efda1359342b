import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../src/password/hash.ts';
import { apiClient, clientApi, userToken } from './support/api.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { SessionBrowser, signInAt, silentSignIn } from './support/session-flow.ts';

const OLD = 'correct horse battery staple';
const NEW = 'violet kettle under the bridge';

describe('account API: change password (/api/v1/me/password)', () => {
  let server: TestServer;
  let client: Awaited<ReturnType<TestServer['createClient']>>;
  let oldHash: string;
  beforeAll(async () => {
    server = await startTestServer({
      ...(canUseRealServices ? { backend: 'postgres' as const } : {}),
      // Wrong current passwords count against the sign-in limit: three per IP here.
      env: { LATCHKEY_RATE_LIMITS: 'sign-in.ip=3/1h' },
    });
    client = await server.createClient();
    oldHash = await hashPassword(OLD);
  });
  afterAll(() => server?.stop());

  const person = async (options: { password?: boolean } = {}) => {
    const userId = await server.createUser({ password_hash: options.password === false ? null : oldHash });
    const laptop = new SessionBrowser({ 'user-agent': 'Laptop/1.0' });
    const phone = new SessionBrowser({ 'user-agent': 'Phone/1.0' });
    await signInAt(laptop, { authBase: server.url, pagesBase: server.url, client, accountId: userId });
    await signInAt(phone, { authBase: server.url, pagesBase: server.url, client, accountId: userId });
    const api = apiClient(server, (await userToken(server, ['account'], { userId })).token);
    const live = async (browser: SessionBrowser) => (await silentSignIn(browser, server.url, client)).searchParams.has('code');
    const sessionOf = async (userAgent: string) => (await server.db.knex('sessions').where({ user_id: userId, user_agent: userAgent }).first('uid')).uid as string;
    const hash = async () => (await server.db.knex('users').where({ id: userId }).first('password_hash')).password_hash as string | null;
    return { userId, laptop, phone, api, live, sessionOf, hash };
  };

  it('changes the password with the current one (argon2id), signs out the other sessions, keeps the named one, audited', async () => {
    const { userId, laptop, phone, api, live, sessionOf, hash } = await person();
    const answer = await api.me.password.change({ body: { current_password: OLD, new_password: NEW, keep_session_id: await sessionOf('Laptop/1.0') } });
    expect(answer.status).toBe(200);
    // The phone and the session the token came from; the laptop stays.
    expect(answer.body).toEqual({ sessions_revoked: 2 });
    expect(await live(laptop)).toBe(true);
    expect(await live(phone)).toBe(false);
    const stored = (await hash())!;
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(stored, NEW)).toBe(true);
    expect(await verifyPassword(stored, OLD)).toBe(false);
    expect(await server.db.knex('audit_events').where({ type: 'password.changed', subject_id: userId }).first()).toMatchObject({ actor_type: 'user', actor_id: userId });
  });

  it('an account without a password sets its first one without a current password; every session is signed out', async () => {
    const { laptop, phone, api, live, hash } = await person({ password: false });
    const answer = await api.me.password.change({ body: { new_password: NEW } });
    expect(answer.status).toBe(200);
    expect(await verifyPassword((await hash())!, NEW)).toBe(true);
    expect(await live(laptop)).toBe(false);
    expect(await live(phone)).toBe(false);
  });

  it('refuses a missing or wrong current password, a weak new one and unknown fields (400), changing nothing', async () => {
    const { api, live, laptop, hash } = await person();
    const missing = await api.me.password.change({ body: { new_password: NEW } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.current_password' }] });
    const wrong = await api.me.password.change({ body: { current_password: 'not my password at all', new_password: NEW } });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ errors: [{ path: 'body.current_password' }] });
    for (const weak of ['short', 'password123', 'aaaaaaaaaaaa']) {
      const answer = await api.me.password.change({ body: { current_password: OLD, new_password: weak } });
      expect(answer.status, weak).toBe(400);
      expect(answer.body).toMatchObject({ errors: [{ path: 'body.new_password' }] });
    }
    expect((await api.me.password.change({ body: { current_password: OLD, new_password: NEW, password_hash: 'x' } as never })).status).toBe(400);
    expect(await hash()).toBe(oldHash);
    expect(await live(laptop)).toBe(true);
  });

  it('401 without a token, 403 without the account scope', async () => {
    expect((await apiClient(server).me.password.change({ body: { new_password: NEW } })).status).toBe(401);
    const wrong = await clientApi(server, ['users:write']);
    expect((await wrong.me.password.change({ body: { new_password: NEW } })).status).toBe(403);
  });

  it('wrong current passwords count against the sign-in limit: guessing stops with 429, even for the right one', async () => {
    const { api, hash } = await person();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await api.me.password.change({ body: { current_password: `guess number ${i}`, new_password: NEW } })).status);
    }
    expect(statuses).toContain(429);
    const right = await api.me.password.change({ body: { current_password: OLD, new_password: NEW } });
    expect(right.status).toBe(429);
    expect(right.body).toMatchObject({ code: 'rate_limited' });
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await hash()).toBe(oldHash);
  });
});

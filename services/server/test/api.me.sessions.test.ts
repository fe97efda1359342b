import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, clientApi, startApiTestServer, userToken, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';
import { SessionBrowser, signInAt, silentSignIn } from './support/session-flow.ts';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';

describe('account API: sessions (/api/v1/me/sessions)', () => {
  let server: TestServer;
  let client: Awaited<ReturnType<TestServer['createClient']>>;
  beforeAll(async () => {
    server = await startApiTestServer();
    client = await server.createClient();
  });
  afterAll(() => server?.stop());

  /** A person signed in on a laptop and a phone, and an API client holding their `account` token. */
  const person = async () => {
    const userId = await server.createUser();
    const laptop = new SessionBrowser({ 'user-agent': FIREFOX });
    const phone = new SessionBrowser({ 'user-agent': IPHONE });
    await signInAt(laptop, { authBase: server.url, pagesBase: server.url, client, accountId: userId });
    await signInAt(phone, { authBase: server.url, pagesBase: server.url, client, accountId: userId });
    const api = apiClient(server, (await userToken(server, ['account'], { userId })).token);
    const live = async (browser: SessionBrowser) => (await silentSignIn(browser, server.url, client)).searchParams.has('code');
    return { userId, laptop, phone, api, live };
  };

  const listed = async (api: ApiClient) => {
    const answer = await api.me.sessions.list();
    expect(answer.status).toBe(200);
    return (answer.body as { items: Array<{ id: string; browser: string | null; os: string | null; device: string | null; ip: string | null; last_activity_at: string }> }).items;
  };

  it('lists sessions with browser, OS, device, IP and last activity; revokes one, which stops SSO at once', async () => {
    const { userId, laptop, phone, api, live } = await person();
    const items = await listed(api);
    const firefox = items.find((s) => s.browser?.startsWith('Firefox'));
    const safari = items.find((s) => s.os?.startsWith('iOS'));
    expect(firefox).toMatchObject({ browser: 'Firefox 121', os: 'Windows 10', device: 'desktop', ip: expect.stringMatching(/127\.0\.0\.1/) });
    expect(safari).toMatchObject({ device: expect.stringMatching(/^mobile/) });
    expect(Number.isNaN(Date.parse(firefox!.last_activity_at))).toBe(false);

    const revoked = await api.me.sessions.revoke({ params: { id: firefox!.id } });
    expect(revoked.status).toBe(204);
    expect(await live(laptop)).toBe(false);
    expect(await live(phone)).toBe(true);
    expect((await listed(api)).map((s) => s.id)).not.toContain(firefox!.id);
    expect(await server.db.knex('audit_events').where({ type: 'session.revoked', subject_id: firefox!.id }).first()).toMatchObject({
      actor_type: 'user',
      actor_id: userId,
      data: { reason: 'revoked_by_user' },
    });
    // Gone is gone: a second revocation is a 404.
    expect((await api.me.sessions.revoke({ params: { id: firefox!.id } })).status).toBe(404);
  });

  it("another person's session is a 404 and stays alive; a malformed id is a 400", async () => {
    const alice = await person();
    const bob = await person();
    const bobs = (await listed(bob.api))[0]!.id;
    const attempt = await alice.api.me.sessions.revoke({ params: { id: bobs } });
    expect(attempt.status).toBe(404);
    expect(attempt.body).toMatchObject({ code: 'not_found' });
    expect((await listed(bob.api)).map((s) => s.id)).toContain(bobs);
    expect(await bob.live(bob.laptop)).toBe(true);
    const malformed = await alice.api.me.sessions.revoke({ params: { id: 'not a session' } });
    expect(malformed.status).toBe(400);
  });

  it('signs out every session but the one named to keep; the keep id is required and must be yours', async () => {
    const { api, laptop, phone, live } = await person();
    const items = await listed(api);
    const keep = items.find((s) => s.browser?.startsWith('Firefox'))!.id;
    expect((await api.me.sessions.revokeOthers({ body: {} as never })).status).toBe(400);
    const foreign = await person();
    const notMine = await api.me.sessions.revokeOthers({ body: { keep_session_id: (await listed(foreign.api))[0]!.id } });
    expect(notMine.status).toBe(404);
    expect(await live(phone)).toBe(true);

    const answer = await api.me.sessions.revokeOthers({ body: { keep_session_id: keep } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ revoked: items.length - 1 });
    expect(await live(laptop)).toBe(true);
    expect(await live(phone)).toBe(false);
    expect((await listed(api)).map((s) => s.id)).toEqual([keep]);
  });

  it('401 without a token, 403 without the account scope', async () => {
    expect((await apiClient(server).me.sessions.list()).status).toBe(401);
    const wrong = await clientApi(server, ['sessions:read']);
    expect((await wrong.me.sessions.list()).status).toBe(403);
    expect((await wrong.me.sessions.revoke({ params: { id: 'abc' } })).status).toBe(403);
    expect((await wrong.me.sessions.revokeOthers({ body: { keep_session_id: 'abc' } })).status).toBe(403);
  });
});

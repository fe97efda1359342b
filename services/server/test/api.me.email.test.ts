import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, clientApi, userToken } from './support/api.ts';
import { canUseRealServices, startTestServerWithMail, type MailTestServer } from './support/server.ts';

const address = (name: string) => `${name}-${randomBytes(4).toString('hex')}@example.com`;
const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)![1]!;

describe('account API: change email (/api/v1/me/email)', () => {
  let server: MailTestServer;
  beforeAll(async () => {
    server = await startTestServerWithMail({
      ...(canUseRealServices ? { backend: 'postgres' as const } : {}),
      // Two code mails per (address, IP) per hour, so the limit shows in three requests.
      env: { LATCHKEY_RATE_LIMITS: 'code-request.pair=2/1h' },
    });
  });
  afterAll(() => server?.stop());

  const person = async () => {
    const email = address('old');
    const userId = await server.createUser({ email });
    const api = apiClient(server, (await userToken(server, ['account'], { userId })).token);
    return { email, userId, api };
  };

  it('mails a code to the NEW address, changes nothing before the code, then switches, verifies and tells the old address', async () => {
    const { email, userId, api } = await person();
    await server.db.knex('users').where({ id: userId }).update({ email_verified: false });
    const next = address('new');
    const started = await api.me.email.start({ body: { email: next } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ email: next });
    const mail = await server.mail.nextMailTo(next);
    const code = codeIn(mail.text);
    // Nothing changes until the code comes back.
    expect((await api.me.profile.get()).body).toMatchObject({ email, email_verified: false });

    const wrong = await api.me.email.confirm({ body: { email: next, code: code === '000000' ? '111111' : '000000' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.code' }] });
    expect((await api.me.profile.get()).body).toMatchObject({ email });

    const confirmed = await api.me.email.confirm({ body: { email: next, code } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ email: next, email_verified: true });
    expect(confirmed.headers.get('etag')).toBeTruthy();
    const notice = await server.mail.nextMailTo(email);
    expect(notice.subject).toMatch(/email address was changed/);
    expect(notice.text).toContain(next);
    expect(notice.text).not.toMatch(/\b\d{6}\b/);
    const event = await server.db.knex('audit_events').where({ type: 'email.changed', subject_id: userId }).first();
    expect(event).toMatchObject({ actor_type: 'user', actor_id: userId, data: { from: email, to: next } });

    // The code was used once; it does not switch the address again.
    expect((await api.me.email.confirm({ body: { email: next, code } })).status).toBe(400);
  });

  it('answers a taken address exactly like a free one, and refuses it at confirmation with 409', async () => {
    const { email, api } = await person();
    const taken = address('taken');
    await server.createUser({ email: taken });
    const free = address('free');
    const [takenStart, freeStart] = [await api.me.email.start({ body: { email: taken } }), await api.me.email.start({ body: { email: free } })];
    expect(takenStart.status).toBe(freeStart.status);
    expect(Object.keys(takenStart.body as object).sort()).toEqual(Object.keys(freeStart.body as object).sort());
    const code = codeIn((await server.mail.nextMailTo(taken)).text);
    const clash = await api.me.email.confirm({ body: { email: taken, code } });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ code: 'conflict' });
    expect((await api.me.profile.get()).body).toMatchObject({ email });
  });

  it('409 when the address was taken between the code and its confirmation', async () => {
    const { email, api } = await person();
    const next = address('race');
    expect((await api.me.email.start({ body: { email: next } })).status).toBe(202);
    const code = codeIn((await server.mail.nextMailTo(next)).text);
    await server.createUser({ email: next.toUpperCase() });
    const clash = await api.me.email.confirm({ body: { email: next, code } });
    expect(clash.status).toBe(409);
    expect((await api.me.profile.get()).body).toMatchObject({ email });
  });

  it("another account's code for the same address does not work here", async () => {
    const alice = await person();
    const bob = await person();
    const next = address('shared');
    expect((await bob.api.me.email.start({ body: { email: next } })).status).toBe(202);
    const bobsCode = codeIn((await server.mail.nextMailTo(next)).text);
    expect((await alice.api.me.email.start({ body: { email: next } })).status).toBe(202);
    await server.mail.nextMailTo(next);
    const stolen = await alice.api.me.email.confirm({ body: { email: next, code: bobsCode } });
    expect(stolen.status).toBe(400);
    expect((await alice.api.me.profile.get()).body).toMatchObject({ email: alice.email });
  });

  it('refuses what is not a plain address, the current address, unknown fields, and a malformed code', async () => {
    const { email, api } = await person();
    for (const bad of ['"Alice" <alice@example.com>', 'alice@example.com, eve@example.com', 'not-an-address', '']) {
      const answer = await api.me.email.start({ body: { email: bad } });
      expect(answer.status, bad).toBe(400);
      expect(answer.body).toMatchObject({ code: 'validation_failed' });
    }
    expect((await api.me.email.start({ body: { email: email.toUpperCase() } })).status).toBe(400);
    expect((await api.me.email.start({ body: { email: address('x'), email_verified: true } as never })).status).toBe(400);
    const format = await api.me.email.confirm({ body: { email: address('x'), code: 'abc' } });
    expect(format.status).toBe(400);
    expect(format.body).toMatchObject({ errors: [{ path: 'body.code' }] });
  });

  it('limits code mail per address like other code mail (429 with Retry-After)', async () => {
    const { api } = await person();
    const next = address('flood');
    expect((await api.me.email.start({ body: { email: next } })).status).toBe(202);
    expect((await api.me.email.start({ body: { email: next } })).status).toBe(202);
    const third = await api.me.email.start({ body: { email: next } });
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ code: 'rate_limited' });
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('401 without a token, 403 without the account scope', async () => {
    expect((await apiClient(server).me.email.start({ body: { email: address('a') } })).status).toBe(401);
    const wrong = await clientApi(server, ['users:read']);
    expect((await wrong.me.email.start({ body: { email: address('a') } })).status).toBe(403);
    expect((await wrong.me.email.confirm({ body: { email: address('a'), code: '123456' } })).status).toBe(403);
  });
});

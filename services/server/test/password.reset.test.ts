import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../src/password/hash.ts';
import { get, post, startFlow, type Flow } from './support/email-code-flow.ts';
import { type MailTestServer, startTestServerWithMail } from './support/server.ts';
import { extractCode, type MailCatcher } from './support/smtp.ts';

let n = 0;
const address = (label: string) => `${label}-${process.pid}-${(n += 1)}@example.com`;
const OLD = 'the old forgotten phrase';
const NEW = 'a brand new passphrase';

describe('password reset by emailed code', () => {
  let server: MailTestServer;
  let catcher: MailCatcher;
  beforeAll(async () => {
    server = await startTestServerWithMail();
    catcher = server.mail;
  });
  afterAll(() => server?.stop());

  const requestReset = (flow: Flow, email: string) => post(flow, `/interaction/${flow.uid}/reset`, { email });
  const confirm = (flow: Flow, email: string, code: string, password: string) => post(flow, `/interaction/${flow.uid}/reset/confirm`, { email, code, password });
  const hashOf = async (id: string) => (await server.db.knex('users').where({ id }).first()).password_hash as string;

  it('answers the same for an address with and without an account, and mails only the real one', async () => {
    const known = address('known');
    const missing = address('missing');
    await server.createUser({ email: known, password_hash: await hashPassword(OLD) });
    const flow = await startFlow(server);
    const form = await (await get(flow, `/interaction/${flow.uid}/reset`)).text();
    expect(form).toMatch(/<input id="email" name="email" type="email"[^>]*autocomplete="email"/);

    const a = await requestReset(flow, known);
    const b = await requestReset(flow, missing);
    expect(a.status).toBe(200);
    expect(b.status).toBe(a.status);
    const pageA = (await a.text()).replaceAll(known, 'EMAIL');
    const pageB = (await b.text()).replaceAll(missing, 'EMAIL');
    expect(pageB).toBe(pageA);
    expect(pageA).toContain('If an account exists for EMAIL');
    expect(pageA).toMatch(/autocomplete="one-time-code"/);
    expect(pageA).toMatch(/<input id="password" name="password" type="password"[^>]*autocomplete="new-password"/);
    await catcher.nextMailTo(known);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(catcher.messages.some((m) => m.to.includes(missing.toLowerCase()))).toBe(false);
  });

  it('sets the new password with the right code and goes back to sign-in with a notice', async () => {
    const email = address('reset');
    const id = await server.createUser({ email, password_hash: await hashPassword(OLD), email_verified: false });
    const flow = await startFlow(server);
    expect((await requestReset(flow, email)).status).toBe(200);
    const mail = await catcher.nextMailTo(email);
    expect(mail.text).toContain('reset your');
    const code = extractCode(mail);

    // A weak password is refused before the code is used, so the code still works afterwards.
    const weak = await confirm(flow, email, code, 'password');
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain('too common');
    const wrong = await confirm(flow, email, code === '000000' ? '111111' : '000000', NEW);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('That code is wrong or has expired');
    expect(await verifyPassword(await hashOf(id), OLD)).toBe(true);

    // A browser still signed in elsewhere, and an app holding a refresh token
    // (perhaps whoever knew the old password).
    const inAnHour = new Date(Date.now() + 3_600_000);
    await server.db.knex('sessions').insert({ id: `elsewhere-${id}`, uid: `uid-${id}`, user_id: id, payload: { accountId: id }, expires_at: inAnHour });
    const { client_id } = await server.createClient();
    await server.db.knex('grants').insert({ id: `grant-${id}`, client_id, user_id: id, payload: {}, expires_at: inAnHour });
    await server.db.knex('refresh_tokens').insert({ id: `rt-${id}`, grant_id: `grant-${id}`, client_id, user_id: id, payload: {}, expires_at: inAnHour });

    const done = await confirm(flow, email, code, NEW);
    expect(done.status).toBe(303);
    const elsewhere = await server.db.knex('sessions').where({ uid: `uid-${id}` }).first();
    expect(elsewhere.revoked_at).not.toBeNull();
    expect(elsewhere.revoked_reason).toBe('password_reset');
    expect((await server.db.knex('refresh_tokens').where({ id: `rt-${id}` }).first()).revoked_at).not.toBeNull();
    expect((await server.db.knex('grants').where({ id: `grant-${id}` }).first()).revoked_at).not.toBeNull();
    expect(done.headers.get('location')).toBe(`/interaction/${flow.uid}?notice=password_changed`);
    const signInPage = await (await get(flow, done.headers.get('location')!)).text();
    expect(signInPage).toContain('Your password was changed. Sign in with your new password.');

    const row = await server.db.knex('users').where({ id }).first();
    expect(await verifyPassword(row.password_hash, NEW)).toBe(true);
    expect(row.email_verified).toBe(true);
    // The password change and the grants it revoked are audit events, by the person, about the person.
    expect(await server.db.knex('audit_events').where({ subject_id: id, type: 'password.reset' })).toMatchObject([{ actor_type: 'user', actor_id: id, subject_type: 'user' }]);
    expect(await server.db.knex('audit_events').where({ subject_id: id, type: 'grant.revoked' })).toMatchObject([
      { actor_type: 'user', actor_id: id, subject_type: 'user', data: { grants: 1, reason: 'password_reset' } },
    ]);

    // The code is used up, and the new password signs in while the old one does not.
    expect((await confirm(flow, email, code, 'yet another new phrase')).status).toBe(400);
    expect((await post(flow, `/interaction/${flow.uid}/password`, { email, password: OLD })).status).toBe(401);
    expect((await post(flow, `/interaction/${flow.uid}/password`, { email, password: NEW })).status).toBe(303);
  });

  it('a code mailed to one address does not reset another, nor work in another flow', async () => {
    const email = address('bound');
    const id = await server.createUser({ email, password_hash: await hashPassword(OLD) });
    const flow = await startFlow(server);
    await requestReset(flow, email);
    const code = extractCode(await catcher.nextMailTo(email));
    const other = await startFlow(server);
    expect((await confirm(other, email, code, NEW)).status).toBe(400);
    expect(await verifyPassword(await hashOf(id), OLD)).toBe(true);
    expect((await confirm(flow, email, code, NEW)).status).toBe(303);
  });

  it('ignores an unknown notice instead of echoing it', async () => {
    const flow = await startFlow(server);
    const page = await (await get(flow, `/interaction/${flow.uid}?notice=%3Cscript%3Ealert(1)%3C%2Fscript%3E`)).text();
    expect(page).not.toContain('alert(1)');
    expect(page).not.toContain('class="notice"');
  });
});

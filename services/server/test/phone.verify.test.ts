import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputValue } from './support/hosted-flow.ts';
import { consoleOnPhone, phoneNumber, typed } from './support/phone-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { codeOf, smsEnv, startSmsApi, type SmsApi } from './support/sms-api.ts';

/**
 * The console's phone section proves a number by a texted code, through a
 * local server that answers like Twilio's Messages API (Basic auth, form
 * fields, Twilio-shaped JSON): the test reads the code from what it got.
 */
describe('phone verification in the account console', () => {
  let sms: SmsApi;
  let server: TestServer;
  beforeAll(async () => {
    sms = await startSmsApi();
    server = await startTestServer({ ...(canUseRealServices ? { backend: 'postgres' as const } : {}), env: smsEnv(sms) });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await sms?.close();
  });

  const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  it('texts a code through the SMS API (Basic auth, To/From/Body), then the code makes the number verified, in one change with an audit event', async () => {
    const userId = await server.createUser();
    const { browser, page, csrf } = await consoleOnPhone(server, userId);
    expect(page).toContain('Your account has no phone number');
    expect(page).toMatch(/<input id="phone" name="phone" type="tel" autocomplete="tel"/);
    const number = phoneNumber();

    const started = await browser.post('/account/phone', { csrf, phone: typed(number) });
    expect(started.status).toBe(200);
    const codePage = await started.text();
    expect(codePage).toContain(`We texted a code to ${number}.`);
    const text = await sms.nextTo(number);
    expect(text).toMatchObject({ to: number, from: sms.from, authorized: true });
    expect(text.body).toMatch(/^\d{6} is your Latchkey code to confirm this number\. It expires in 10 minutes\.\n\n@localhost:\d+ #\d{6}$/);
    expect(sms.refused).toBe(0);
    const code = codeOf(text);
    // Nothing changes before the code comes back.
    expect(await server.db.knex('users').where({ id: userId }).first('phone', 'phone_verified')).toEqual({ phone: null, phone_verified: false });

    const wrong = await browser.post('/account/phone/confirm', { csrf, phone: number, code: wrongCode(code) });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('That code is wrong or has expired');

    const confirmed = await browser.post('/account/phone/confirm', { csrf, phone: number, code });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('/account/phone?done=verified');
    const after = await (await browser.get('/account/phone?done=verified')).text();
    expect(after).toContain('Your phone number was confirmed.');
    expect(after).toContain(`Your phone number is ${number}.`);
    const row = await server.db.knex('users').where({ id: userId }).first('phone', 'phone_verified', 'phone_verified_at');
    expect(row).toMatchObject({ phone: number, phone_verified: true });
    expect(row.phone_verified_at).toBeInstanceOf(Date);
    const events = await server.db.knex('audit_events').where({ type: 'phone.verified', subject_id: userId });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_type: 'user', actor_id: userId, data: { via: 'console' } });
    expect(JSON.stringify(events[0])).not.toContain(number);
    expect(JSON.stringify(events[0])).not.toContain(code);

    // Used once: the same code does not confirm again.
    expect((await browser.post('/account/phone/confirm', { csrf, phone: number, code })).status).toBe(400);
  });

  it('refuses a number that cannot exist, with the message next to the field and nothing texted', async () => {
    const { browser, csrf } = await consoleOnPhone(server, await server.createUser());
    const before = sms.messages.length;
    for (const bad of ['12', 'call me', '+1 415 555', '+999 1234 5678']) {
      const response = await browser.post('/account/phone', { csrf, phone: bad });
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/<p class="field-error" id="phone-error">Enter a phone number that can get text messages/);
    }
    expect((await browser.post('/account/phone', { csrf, phone: '' })).status).toBe(400);
    expect(sms.messages.length).toBe(before);
  });

  it('a number another account has verified is texted like any other, and refused at confirmation without naming the account', async () => {
    const number = phoneNumber();
    const ownerEmail = `owner-${Date.now()}@example.com`;
    await server.createUser({ email: ownerEmail, phone: number, phone_verified: true, phone_verified_at: new Date() });
    const userId = await server.createUser();
    const { browser, csrf } = await consoleOnPhone(server, userId);
    const started = await browser.post('/account/phone', { csrf, phone: number });
    expect(started.status).toBe(200);
    const code = codeOf(await sms.nextTo(number));
    const clash = await browser.post('/account/phone/confirm', { csrf, phone: number, code });
    expect(clash.status).toBe(409);
    const page = await clash.text();
    expect(page).toContain('That number belongs to another account');
    expect(page).not.toContain(ownerEmail);
    expect(await server.db.knex('users').where({ id: userId }).first('phone', 'phone_verified')).toEqual({ phone: null, phone_verified: false });
    expect(await server.db.knex('audit_events').where({ type: 'phone.verified', subject_id: userId })).toHaveLength(0);
  });

  it('a code texted for one account does not verify the number for another', async () => {
    const number = phoneNumber();
    const first = await consoleOnPhone(server, await server.createUser());
    const secondId = await server.createUser();
    const second = await consoleOnPhone(server, secondId);
    expect((await first.browser.post('/account/phone', { csrf: first.csrf, phone: number })).status).toBe(200);
    const code = codeOf(await sms.nextTo(number));
    expect((await second.browser.post('/account/phone/confirm', { csrf: second.csrf, phone: number, code })).status).toBe(400);
    expect(await server.db.knex('users').where({ id: secondId }).first('phone_verified')).toEqual({ phone_verified: false });
  });

  it('removes the number, but not while it is the only way in', async () => {
    const number = phoneNumber();
    // No password and an unverified address: the phone is the one way in.
    const onlyWay = await server.createUser({ email_verified: false, phone: number, phone_verified: true });
    const lone = await consoleOnPhone(server, onlyWay);
    const refused = await lone.browser.post('/account/phone/remove', { csrf: lone.csrf });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('You sign in only with this number.');
    expect(await server.db.knex('users').where({ id: onlyWay }).first('phone')).toEqual({ phone: number });

    const other = phoneNumber();
    const withEmail = await server.createUser({ phone: other, phone_verified: true });
    const owner = await consoleOnPhone(server, withEmail);
    expect(owner.page).toContain('Remove phone number');
    const removed = await owner.browser.post('/account/phone/remove', { csrf: inputValue(owner.page, 'csrf') });
    expect(removed.status).toBe(303);
    expect(await (await owner.browser.get(removed.headers.get('location')!)).text()).toContain('Your phone number was removed.');
    expect(await server.db.knex('users').where({ id: withEmail }).first('phone', 'phone_verified', 'phone_verified_at')).toEqual({ phone: null, phone_verified: false, phone_verified_at: null });
    expect(await server.db.knex('audit_events').where({ type: 'phone.removed', subject_id: withEmail })).toHaveLength(1);
  });
});

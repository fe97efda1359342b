import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post, startFlow } from './support/email-code-flow.ts';
import { PageClient, inputValue, isInteraction } from './support/hosted-flow.ts';
import { phoneNumber, typed } from './support/phone-flow.ts';
import { startRelyingParty, type RelyingParty } from './support/rp.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { codeOf, smsEnv, startSmsApi, type SmsApi } from './support/sms-api.ts';

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

describe.each(backends)('sign-in with a texted code (%s)', (backend) => {
  let sms: SmsApi;
  let server: TestServer;
  let rp: RelyingParty;
  beforeAll(async () => {
    sms = await startSmsApi();
    server = await startTestServer({ backend, env: smsEnv(sms) });
    rp = await startRelyingParty();
  }, 60_000);
  afterAll(async () => {
    await rp?.close();
    await server?.stop();
    await sms?.close();
  });

  it('signs in end to end through a real RP: ID token and userinfo carry phone_number and phone_number_verified, amr is sms', async () => {
    const number = phoneNumber();
    const userId = await server.createUser({ phone: number, phone_verified: true, phone_verified_at: new Date() });
    const app = await rp.register(server);
    const request = await app.authorizationRequest({ scope: 'openid phone' });
    const browser = new PageClient(server.issuer);
    const login = await browser.follow(request.url, isInteraction);
    const signInPage = await (await browser.get(login.url)).text();
    expect(signInPage).toMatch(/<form method="get" action="\/interaction\/[^"]+\/phone"><button type="submit" class="secondary">Text me a sign-in code<\/button><\/form>/);

    const phonePage = await (await browser.get(`${login.url.pathname}/phone`)).text();
    expect(phonePage).toMatch(/<input id="phone" name="phone" type="tel" autocomplete="tel"/);
    const csrf = inputValue(phonePage, 'csrf');
    const codePage = await browser.post(`${login.url.pathname}/phone`, { csrf, phone: typed(number) });
    expect(codePage.status).toBe(200);
    const page = await codePage.text();
    expect(page).toContain(`If an account uses ${number}, we have texted it a code.`);
    expect(page).toMatch(/<input id="code"[^>]*autocomplete="one-time-code"[^>]*inputmode="numeric"/);
    const text = await sms.nextTo(number);
    expect(text.body).toContain('is your Latchkey sign-in code');

    const verified = await browser.post(`${login.url.pathname}/phone/verify`, { csrf, phone: number, code: codeOf(text) });
    expect(verified.status).toBe(303);
    const consent = await browser.followFrom(verified, (url) => isInteraction(url) || url.href.startsWith(rp.callbackUrl));
    expect(isInteraction(consent.url)).toBe(true);
    const consentPage = await (await browser.get(consent.url)).text();
    const allowed = await browser.post(`${consent.url.pathname}/consent`, { csrf: inputValue(consentPage, 'csrf'), decision: 'allow' });
    const callback = await browser.followFrom(allowed, (url) => url.href.startsWith(rp.callbackUrl));

    const tokens = await app.finish(callback.url, request);
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(userId);
    expect(claims).toMatchObject({ phone_number: number, phone_number_verified: true, amr: ['sms'], acr: 'aal1' });
    const info = await client.fetchUserInfo(app.config, tokens.access_token, userId);
    expect(info).toMatchObject({ sub: userId, phone_number: number, phone_number_verified: true });

    const success = await server.db.knex('audit_events').where({ type: 'sign_in.success', subject_id: userId }).first();
    expect(success.data).toMatchObject({ method: 'sms', amr: ['sms'] });
  });

  it('texts nobody and signs nobody in for a number that is only typed in (unverified) or belongs to a blocked account', async () => {
    for (const fields of [{ phone_verified: false }, { phone_verified: true, status: 'blocked' }]) {
      const number = phoneNumber();
      await server.createUser({ phone: number, ...fields });
      const flow = await startFlow(server);
      const requested = await post(flow, `/interaction/${flow.uid}/phone`, { phone: number });
      expect(requested.status).toBe(200);
      expect(await requested.text()).toContain(`If an account uses ${number}`);
      await expect(sms.nextTo(number, 400)).rejects.toThrow(/no text/);
      // Whatever code is guessed, the answer is the wrong-code one.
      const refused = await post(flow, `/interaction/${flow.uid}/phone/verify`, { phone: number, code: '123456' });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('That code is wrong or has expired');
    }
  });

  it('a code stops working once its number has left the account', async () => {
    const number = phoneNumber();
    const userId = await server.createUser({ phone: number, phone_verified: true });
    const flow = await startFlow(server);
    expect((await post(flow, `/interaction/${flow.uid}/phone`, { phone: number })).status).toBe(200);
    const code = codeOf(await sms.nextTo(number));
    await server.db.knex('users').where({ id: userId }).update({ phone: null, phone_verified: false });
    expect((await post(flow, `/interaction/${flow.uid}/phone/verify`, { phone: number, code })).status).toBe(400);
  });

  it('asks again, with the message next to the field, for a number it cannot read; a code in letters is told apart', async () => {
    const flow = await startFlow(server);
    const bad = await post(flow, `/interaction/${flow.uid}/phone`, { phone: '555' });
    expect(bad.status).toBe(400);
    const page = await bad.text();
    expect(page).toMatch(/<p class="field-error" id="phone-error">Enter a phone number that can get text messages/);
    expect(page).toMatch(/<input id="phone"[^>]*value="555"/);
    expect((await post(flow, `/interaction/${flow.uid}/phone`, {})).status).toBe(400);
    const letters = await post(flow, `/interaction/${flow.uid}/phone/verify`, { phone: phoneNumber(), code: 'abcdef' });
    expect(letters.status).toBe(400);
    expect(await letters.text()).toContain('Enter the 6 digits from the text message');
    // Pages of an unknown interaction are the expired page, never an error.
    expect((await get(flow, '/interaction/unknown-uid/phone')).status).toBe(400);
  });
});

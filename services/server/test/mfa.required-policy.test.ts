import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelyingParty, type RelyingParty, type RpClient } from './support/rp.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { appSignIn, personWithPassword, recoveryCodesOn, totpCode } from './support/totp.ts';

/**
 * LATCHKEY_MFA=required: an account without a second step is made to set one
 * up during sign-in (the set-up itself is the second step), and the app's ID
 * token says two factors. LATCHKEY_MFA_REQUIRED_ROLES=admin asks this of
 * admins only; everyone else signs in with one.
 */
const backend = canUseRealServices ? ('postgres' as const) : ('pglite' as const);

describe(`MFA policy (${backend})`, () => {
  let rp: RelyingParty;
  let everyone: TestServer;
  let admins: TestServer;
  let everyoneApp: RpClient;
  let adminsApp: RpClient;
  beforeAll(async () => {
    rp = await startRelyingParty();
    [everyone, admins] = await Promise.all([
      startTestServer({ backend, env: { LATCHKEY_MFA: 'required' } }),
      startTestServer({ backend, env: { LATCHKEY_MFA_REQUIRED_ROLES: 'admin' } }),
    ]);
    everyoneApp = await rp.register(everyone, { firstParty: true });
    adminsApp = await rp.register(admins, { firstParty: true });
  }, 90_000);
  afterAll(async () => {
    await Promise.allSettled([everyone?.stop(), admins?.stop(), rp?.close()]);
  });

  const isCallback = (url: URL) => url.href.startsWith(rp.callbackUrl);

  it('required: a password is not enough; the account sets up the app during sign-in and the ID token says aal2', async () => {
    const person = await personWithPassword(everyone);
    const { browser, request, uid, csrf } = await appSignIn(everyoneApp, everyone.issuer);
    const password = await browser.post(`/interaction/${uid}/password`, { csrf, email: person.email, password: person.password });
    expect(password.headers.get('location')).toBe(`/interaction/${uid}/mfa`);
    const mfa = await browser.followFrom(password);
    const page = await mfa.response!.text();
    expect(page).toContain('Set up two-step verification');
    expect(page).toContain(`href="/interaction/${uid}/totp/setup"`);
    // Nothing is signed in yet: no sign-in event, no session.
    expect(await everyone.db.knex('audit_events').where({ type: 'sign_in.success', subject_id: person.id }).first()).toBeUndefined();

    const setup = await (await browser.get(`/interaction/${uid}/totp/setup`)).text();
    const seed = /id="totp-secret"[^>]*>([^<]+)</.exec(setup)![1]!.replace(/\s/g, '');
    const wrong = await browser.post(`/interaction/${uid}/totp/setup`, { csrf, code: '000000' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain(/id="totp-secret"[^>]*>([^<]+)</.exec(setup)![1]!);
    expect((await everyone.db.knex('users').where({ id: person.id }).first('totp_enabled')).totp_enabled).toBe(false);

    const confirmed = await browser.post(`/interaction/${uid}/totp/setup`, { csrf, code: await totpCode(seed) });
    expect(confirmed.status).toBe(200);
    const shown = await confirmed.text();
    expect(recoveryCodesOn(shown)).toHaveLength(10);
    const resume = new URL(/id="continue" href="([^"]+)"/.exec(shown)![1]!.replaceAll('&#61;', '='));
    expect(resume.origin).toBe(everyone.issuer);

    const landed = await browser.follow(resume, isCallback);
    const tokens = await everyoneApp.finish(landed.url, request);
    const claims = tokens.claims()!;
    expect([...(claims.amr as string[])].sort()).toEqual(['mfa', 'otp', 'pwd']);
    expect(claims.acr).toBe('aal2');
    expect((await everyone.db.knex('users').where({ id: person.id }).first('totp_enabled')).totp_enabled).toBe(true);

    // Next time: asked for the code, not to set up again.
    const next = await appSignIn(everyoneApp, everyone.issuer);
    const again = await next.browser.post(`/interaction/${next.uid}/password`, { csrf: next.csrf, email: person.email, password: person.password });
    const secondPage = await (await next.browser.followFrom(again)).response!.text();
    expect(secondPage).toContain('Code from your authenticator app');
    expect(secondPage).not.toContain('/totp/setup');
  });

  it('required: the set-up page is only for a sign-in that owes a second step', async () => {
    const { browser, uid } = await appSignIn(everyoneApp, everyone.issuer);
    const response = await browser.get(`/interaction/${uid}/totp/setup`);
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain('totp-secret');
  });

  it('required for admins only: an admin sets up a second step, a user signs straight in at aal1', async () => {
    const admin = await personWithPassword(admins, { role: 'admin' });
    const user = await personWithPassword(admins);

    const asAdmin = await appSignIn(adminsApp, admins.issuer);
    const adminPassword = await asAdmin.browser.post(`/interaction/${asAdmin.uid}/password`, { csrf: asAdmin.csrf, email: admin.email, password: admin.password });
    expect(adminPassword.headers.get('location')).toBe(`/interaction/${asAdmin.uid}/mfa`);
    expect(await (await asAdmin.browser.followFrom(adminPassword)).response!.text()).toContain('Set up two-step verification');

    const asUser = await appSignIn(adminsApp, admins.issuer);
    const userPassword = await asUser.browser.post(`/interaction/${asUser.uid}/password`, { csrf: asUser.csrf, email: user.email, password: user.password });
    expect(new URL(userPassword.headers.get('location')!, admins.issuer).pathname).toMatch(/^\/auth\//);
    const landed = await asUser.browser.followFrom(userPassword, isCallback);
    const claims = (await adminsApp.finish(landed.url, asUser.request)).claims()!;
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.acr).toBe('aal1');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInteraction } from './support/hosted-flow.ts';
import { startRelyingParty, type RelyingParty, type RpClient } from './support/rp.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { appSignIn, enrolInConsole, personWithPassword, totpCode, type Person } from './support/totp.ts';

/**
 * Step-up: an app that insists on two factors (acr_values=aal2) while the
 * browser's session has one gets a sign-in that asks for the second step;
 * with prompt=none it gets login_required; `aal2 aal1` states a preference
 * and does not force anything. An account with no second step signs in at
 * aal1 (no loop), and the ID token says so.
 */
describe(`MFA step-up (${canUseRealServices ? 'postgres' : 'pglite'})`, () => {
  let rp: RelyingParty;
  let server: TestServer;
  let app: RpClient;
  beforeAll(async () => {
    rp = await startRelyingParty();
    server = await startTestServer(canUseRealServices ? { backend: 'postgres' } : {});
    app = await rp.register(server, { firstParty: true });
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled([server?.stop(), rp?.close()]);
  });

  const isCallback = (url: URL) => url.href.startsWith(rp.callbackUrl);

  /** A browser signed in with the password alone (aal1), and the app's ID token claims. */
  async function passwordSession(person: Person) {
    const flow = await appSignIn(app, server.issuer);
    const answer = await flow.browser.post(`/interaction/${flow.uid}/password`, { csrf: flow.csrf, email: person.email, password: person.password });
    const landed = await flow.browser.followFrom(answer, isCallback);
    const claims = (await app.finish(landed.url, flow.request)).claims()!;
    return { browser: flow.browser, claims };
  }

  /** An authorization request in a browser that already has a session: the callback, or the sign-in page it stopped at. */
  async function authorize(browser: Awaited<ReturnType<typeof passwordSession>>['browser'], parameters: Record<string, string>) {
    const request = await app.authorizationRequest(parameters);
    const { url } = await browser.follow(request.url, (url) => isCallback(url) || isInteraction(url));
    return { request, url };
  }

  it('acr_values=aal2 over a one-factor session asks for the second step only and ends at aal2; prompt=none says login_required; "aal2 aal1" does not force', async () => {
    const person = await personWithPassword(server);
    const laptop = await passwordSession(person);
    const phone = await passwordSession(person);
    const tablet = await passwordSession(person);
    expect(laptop.claims.acr).toBe('aal1');
    const { seed } = await enrolInConsole(server, person.id);

    // A preference, not a demand: the one-factor session answers at once.
    const relaxed = await authorize(tablet.browser, { acr_values: 'aal2 aal1' });
    expect(isCallback(relaxed.url)).toBe(true);
    expect((await app.finish(relaxed.url, relaxed.request)).claims()!.acr).toBe('aal1');

    const silent = await authorize(phone.browser, { acr_values: 'aal2', prompt: 'none' });
    expect(isCallback(silent.url)).toBe(true);
    expect(silent.url.searchParams.get('error')).toBe('login_required');

    const stepUp = await authorize(laptop.browser, { acr_values: 'aal2' });
    expect(isInteraction(stepUp.url)).toBe(true);
    const uid = stepUp.url.pathname.split('/')[2]!;
    // Signed in already: only the second step is asked, for the session's own account (no password again).
    const prompt = await laptop.browser.get(stepUp.url);
    expect(prompt.status).toBe(303);
    expect(prompt.headers.get('location')).toBe(`/interaction/${uid}/mfa`);
    await prompt.arrayBuffer();
    const page = await (await laptop.browser.get(`/interaction/${uid}/mfa`)).text();
    expect(page).not.toContain('name="password"');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const second = await laptop.browser.post(`/interaction/${uid}/totp`, { csrf, code: await totpCode(seed, 1) });
    const landed = await laptop.browser.followFrom(second, isCallback);
    const claims = (await app.finish(landed.url, stepUp.request)).claims()!;
    expect(claims.acr).toBe('aal2');
    expect([...(claims.amr as string[])].sort()).toEqual(['mfa', 'otp', 'pwd']);

    // The session is two-factor now: asking again goes straight through.
    const after = await authorize(laptop.browser, { acr_values: 'aal2' });
    expect(isCallback(after.url)).toBe(true);
    expect((await app.finish(after.url, after.request)).claims()!.acr).toBe('aal2');
  });

  it('an account with no second step asked for aal2 signs in once, at aal1, without looping', async () => {
    const person = await personWithPassword(server);
    const flow = await appSignIn(app, server.issuer, { acr_values: 'aal2' });
    const answer = await flow.browser.post(`/interaction/${flow.uid}/password`, { csrf: flow.csrf, email: person.email, password: person.password });
    const landed = await flow.browser.followFrom(answer, (url) => isCallback(url) || isInteraction(url));
    expect(isCallback(landed.url)).toBe(true);
    const claims = (await app.finish(landed.url, flow.request)).claims()!;
    expect(claims.acr).toBe('aal1');
    expect(claims.amr).toEqual(['pwd']);
  });
});

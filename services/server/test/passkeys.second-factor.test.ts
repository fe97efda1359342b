import { describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password/hash.ts';
import { hasChromium, noChromiumReason, openTab } from './support/chromium.ts';
import { post, startFlow } from './support/email-code-flow.ts';
import { addPasskeyInConsole, addVirtualAuthenticator, finishAtRp, usePasskeyRig } from './support/passkeys.ts';

/**
 * A passkey as the second factor after a password: the account has one, so
 * the password alone is not enough; the second-factor page asks for the
 * passkey (only this account's), and the ID token says amr [pwd, hwk, mfa],
 * acr aal2. The authenticator here does not verify the user, so it could
 * not have signed in alone (that needs user verification).
 */
describe.skipIf(!hasChromium)(`passkey as the second factor${hasChromium ? '' : ` (${noChromiumReason})`}`, () => {
  const rig = usePasskeyRig();

  it('asks for the passkey after the password, and signs in at aal2', async () => {
    const { server, rp, browser } = rig;
    const email = `second-${process.pid}@example.com`;
    const password = 'plum tree harbour lantern';
    const userId = await server.createUser({ email, password_hash: await hashPassword(password) });
    const client = await rp.register(server, { firstParty: true });
    const tab = await openTab(browser);
    const { page } = tab;
    const authenticator = await addVirtualAuthenticator(page);
    await addPasskeyInConsole(page, server.issuer, { email, password });

    // No user verification from here on: the autofill (which requires it) finds nothing to sign in with.
    await authenticator.setUserVerified(false);
    const request = await client.authorizationRequest({ prompt: 'login' });
    await page.goto(request.url.href);
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.click('form[action$="/password"] button.primary');
    await page.waitForURL(/\/interaction\/[^/]+\/mfa$/);
    expect(await page.textContent('h1')).toContain('Two-step verification');
    await page.click('form[data-passkey="authenticate"] button');
    const claims = (await finishAtRp(page, client, request, rp.callbackUrl)).claims()!;
    expect(claims).toMatchObject({ sub: userId, amr: ['pwd', 'hwk', 'mfa'], acr: 'aal2' });
    expect(tab.problems.filter((p) => !/NotAllowedError/.test(p))).toEqual([]);
  }, 60_000);

  it('serves second-factor options only to a flow with a pending first factor', async () => {
    const { server } = rig;
    const flow = await startFlow(server);
    const response = await post(flow, `/interaction/${flow.uid}/passkey/mfa/options`, {});
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'expired' });
    const finish = await post(flow, `/interaction/${flow.uid}/passkey/mfa`, { response: '{}' });
    expect(finish.status).toBe(400);
    const enrol = await post(flow, `/interaction/${flow.uid}/passkey/enrol/options`, {});
    expect(enrol.status).toBe(400);
  });

  it('refuses the second factor when the password was wrong (no pending login, no options)', async () => {
    const { server } = rig;
    const email = `second-wrong-${process.pid}@example.com`;
    await server.createUser({ email, password_hash: await hashPassword('the right passphrase') });
    const flow = await startFlow(server);
    const wrong = await post(flow, `/interaction/${flow.uid}/password`, { email, password: 'not the passphrase' });
    expect(wrong.status).toBe(401);
    expect((await post(flow, `/interaction/${flow.uid}/passkey/mfa/options`, {})).status).toBe(400);
  });
});

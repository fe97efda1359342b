import { describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password/hash.ts';
import { hasChromium, noChromiumReason, openTab } from './support/chromium.ts';
import { addPasskeyInConsole, addVirtualAuthenticator, finishAtRp, usePasskeyRig } from './support/passkeys.ts';

/**
 * A cloned authenticator: a copy of the passkey's private key whose
 * signature counter lags behind the original's. Its assertion is signed
 * correctly but its counter does not go up, so it is refused (a failed
 * attempt, with an audit event saying why), and the original keeps working.
 */
describe.skipIf(!hasChromium)(`cloned authenticator${hasChromium ? '' : ` (${noChromiumReason})`}`, () => {
  const rig = usePasskeyRig();

  it('refuses an assertion whose counter did not increase, and records why', async () => {
    const { server, rp, browser } = rig;
    const email = `clone-${process.pid}@example.com`;
    const password = 'plum tree harbour lantern';
    const userId = await server.createUser({ email, password_hash: await hashPassword(password) });
    const client = await rp.register(server, { firstParty: true });

    const original = await openTab(browser);
    const authenticator = await addVirtualAuthenticator(original.page);
    await addPasskeyInConsole(original.page, server.issuer, { email, password });
    // The original signs in with it once (prompt=login: not the console's session), so the stored counter is ahead of the copy's.
    const first = await client.authorizationRequest({ prompt: 'login' });
    await original.page.goto(first.url.href);
    expect((await finishAtRp(original.page, client, first, rp.callbackUrl)).claims()).toMatchObject({ sub: userId, amr: ['hwk', 'mfa'] });
    const [credential] = await authenticator.credentials();
    const stored = await server.db.knex('webauthn_credentials').where({ user_id: userId }).first();
    expect(Number(stored.counter)).toBe(credential!.signCount);
    expect(Number(stored.counter)).toBeGreaterThan(0);

    // The clone: same key, counter back at zero, in another browser.
    const thief = await openTab(browser);
    const copy = await addVirtualAuthenticator(thief.page);
    await copy.addCredential({ ...credential!, signCount: 0 });
    const attempt = await client.authorizationRequest();
    await thief.page.goto(attempt.url.href);
    await thief.page.waitForSelector('.error-summary');
    expect(await thief.page.textContent('.error-summary')).toContain('That passkey could not be used');
    expect(thief.page.url()).toMatch(/\/interaction\/[^/]+\/passkey$/);
    const after = await server.db.knex('webauthn_credentials').where({ id: stored.id }).first();
    expect(Number(after.counter)).toBe(Number(stored.counter));
    const failure = await server.db.knex('audit_events').where({ type: 'sign_in.failure', subject_id: userId }).orderBy('occurred_at', 'desc').first();
    expect(failure.data).toMatchObject({ method: 'hwk', reason: 'passkey_counter' });
    expect(thief.problems.filter((p) => !/answered 401/.test(p))).toEqual([]);

    // The original still signs in.
    const again = await client.authorizationRequest({ prompt: 'login' });
    await original.page.goto(again.url.href);
    expect((await finishAtRp(original.page, client, again, rp.callbackUrl)).claims()!.amr).toEqual(['hwk', 'mfa']);
  }, 60_000);
});

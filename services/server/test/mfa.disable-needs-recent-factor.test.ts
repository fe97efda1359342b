import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PageClient, inputValue } from './support/hosted-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { enrolInConsole, personWithPassword, stepUpInConsole, totpCode, type Person } from './support/totp.ts';

/**
 * Turning two-step verification off needs a two-factor sign-in from the
 * last ten minutes: a console session signed in with one factor, or with two
 * but longer ago, is sent through a fresh sign-in (max_age=0,
 * acr_values=aal2) that asks for the second step, and nothing changes until then.
 */
describe(`turning two-step off needs a recent second factor (${canUseRealServices ? 'postgres' : 'pglite'})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(canUseRealServices ? { backend: 'postgres' } : {});
  }, 60_000);
  afterAll(() => server?.stop());
  afterEach(() => vi.useRealTimers());

  const totpOn = async (userId: string) => (await server.db.knex('users').where({ id: userId }).first('totp_enabled')).totp_enabled as boolean;
  const turnOff = async (browser: PageClient) => {
    const page = await (await browser.get('/account/two-step')).text();
    return browser.post('/account/two-step/turn-off', { csrf: inputValue(page, 'csrf') });
  };

  /** A console session signed in through the real pages with password and a code from the app. */
  async function twoFactorConsole(person: Person, seed: string): Promise<PageClient> {
    const browser = new PageClient(server.issuer);
    const { landed, askedForSecondStep } = await stepUpInConsole(browser, await browser.get('/account/two-step'), person, () => totpCode(seed, 1));
    expect(askedForSecondStep).toBe(true);
    expect(landed.url.pathname).toBe('/account/two-step');
    return browser;
  }

  it('a one-factor console session is sent through a two-step sign-in first; then it turns off, codes and seed gone', async () => {
    const person = await personWithPassword(server);
    const { seed, browser } = await enrolInConsole(server, person.id);
    const refused = await turnOff(browser);
    expect(await totpOn(person.id)).toBe(true);
    const { authorize, landed, askedForSecondStep } = await stepUpInConsole(browser, refused, person, () => totpCode(seed, 1));
    expect(authorize.pathname).toBe('/auth');
    expect(authorize.searchParams.get('max_age')).toBe('0');
    expect(authorize.searchParams.get('acr_values')).toBe('aal2');
    expect(askedForSecondStep).toBe(true);
    expect(landed.url.pathname).toBe('/account/two-step');
    expect(await totpOn(person.id)).toBe(true);

    const done = await browser.post('/account/two-step/turn-off', { csrf: inputValue(await landed.response!.text(), 'csrf') });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/account/two-step?done=off');
    const row = await server.db.knex('users').where({ id: person.id }).first('totp_enabled', 'totp_secret', 'totp_last_step');
    expect(row).toEqual({ totp_enabled: false, totp_secret: null, totp_last_step: null });
    expect(await server.db.knex('recovery_codes').where({ user_id: person.id })).toEqual([]);
    expect(await server.db.knex('audit_events').where({ type: 'totp.disabled', subject_id: person.id }).first()).toMatchObject({ actor_type: 'user', actor_id: person.id });
    expect(await (await browser.get('/account/two-step?done=off')).text()).toContain('Two-step verification was turned off.');
  });

  it('a two-factor console session turns it off at once while recent, and is sent to sign in again once ten minutes have passed', async () => {
    const person = await personWithPassword(server);
    const { seed } = await enrolInConsole(server, person.id);
    const browser = await twoFactorConsole(person, seed);

    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 11 * 60 * 1000 });
    const stale = await turnOff(browser);
    expect(stale.status).toBe(303);
    const authorize = new URL(stale.headers.get('location')!, server.issuer);
    expect(authorize.pathname).toBe('/auth');
    expect(authorize.searchParams.get('max_age')).toBe('0');
    expect(await totpOn(person.id)).toBe(true);
    vi.useRealTimers();

    const fresh = await turnOff(browser);
    expect(fresh.headers.get('location')).toBe('/account/two-step?done=off');
    expect(await totpOn(person.id)).toBe(false);
  });
});

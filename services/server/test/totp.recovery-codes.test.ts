import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextIp, postFrom, TRUST_LOOPBACK } from './support/forwarded.ts';
import { inputValue } from './support/hosted-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { atSecondStep, enrolInConsole, personWithPassword, recoveryCodesOn, stepUpInConsole, totpCode } from './support/totp.ts';

/**
 * Recovery codes: ten, shown once when the app is set up, stored only as
 * keyed hashes; each signs in once (also when sent twice at once), a used or
 * made-up one is refused, and new ones replace the old.
 */
describe(`TOTP recovery codes (${canUseRealServices ? 'Postgres + Redis' : 'PGlite'})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ...(canUseRealServices ? { backend: 'postgres' as const } : {}), env: TRUST_LOOPBACK });
  }, 60_000);
  afterAll(() => server?.stop());

  const submitRecovery = (flow: Awaited<ReturnType<typeof atSecondStep>>, code: string) => postFrom(flow, nextIp(), `/interaction/${flow.uid}/recovery-code`, { recovery_code: code });
  const signedIn = (response: Response) => response.status === 303 && /\/auth\//.test(response.headers.get('location') ?? '');

  it('shows ten codes once, stores only their hashes, and each signs in exactly once', async () => {
    const person = await personWithPassword(server);
    const { codes, browser } = await enrolInConsole(server, person.id);
    expect(new Set(codes).size).toBe(10);

    // Shown once: neither the section page nor the set-up page shows them again.
    const section = await (await browser.get('/account/two-step')).text();
    expect(recoveryCodesOn(section)).toEqual([]);
    expect(section).toContain('Recovery codes left: 10 of 10');
    const setupAgain = await browser.get('/account/two-step/setup');
    expect(setupAgain.status).toBe(409);
    expect(recoveryCodesOn(await setupAgain.text())).toEqual([]);
    const stored = await server.db.knex('recovery_codes').where({ user_id: person.id });
    expect(stored).toHaveLength(10);
    for (const code of codes) {
      expect(JSON.stringify(stored)).not.toContain(code);
      expect(JSON.stringify(stored)).not.toContain(code.replace('-', ''));
    }

    // Typed in capitals with a space instead of the dash: still the code.
    const first = codes[0]!;
    expect(signedIn(await submitRecovery(await atSecondStep(server, person, nextIp()), first.toUpperCase().replace('-', ' ')))).toBe(true);
    const again = await submitRecovery(await atSecondStep(server, person, nextIp()), first);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('That recovery code is not right or was already used');
    expect(signedIn(await submitRecovery(await atSecondStep(server, person, nextIp()), codes[1]!))).toBe(true);

    // One code, two browsers, at once: one gets in.
    const [one, two] = await Promise.all([atSecondStep(server, person, nextIp()), atSecondStep(server, person, nextIp())]);
    const answers = await Promise.all([submitRecovery(one, codes[2]!), submitRecovery(two, codes[2]!)]);
    expect(answers.filter(signedIn)).toHaveLength(1);

    const used = await server.db.knex('audit_events').where({ type: 'recovery_code.used', subject_id: person.id }).orderBy('occurred_at').pluck('data');
    expect(used.map((data: { left: number }) => data.left)).toEqual([9, 8, 7]);
    expect((await (await browser.get('/account/two-step')).text())).toContain('Recovery codes left: 7 of 10');
  });

  it('refuses a made-up code and another account\'s code', async () => {
    const person = await personWithPassword(server);
    const other = await personWithPassword(server);
    await enrolInConsole(server, person.id);
    const { codes: theirs } = await enrolInConsole(server, other.id);
    const flow = await atSecondStep(server, person, nextIp());
    expect((await submitRecovery(flow, 'aaaaa-aaaaa')).status).toBe(400);
    expect((await submitRecovery(flow, theirs[0]!)).status).toBe(400);
    expect((await submitRecovery(flow, 'x'.repeat(5000))).status).toBe(400);
    // Theirs still works for them: a refusal elsewhere used nothing up.
    expect(signedIn(await submitRecovery(await atSecondStep(server, other, nextIp()), theirs[0]!))).toBe(true);
  });

  it('new codes need a fresh two-step sign-in, then replace the old ones', async () => {
    const person = await personWithPassword(server);
    const { seed, browser } = await enrolInConsole(server, person.id);
    const page = await (await browser.get('/account/two-step')).text();
    const before = await server.db.knex('recovery_codes').where({ user_id: person.id }).pluck('code_hash');
    // This console session signed in with one step (in process): new codes wait for a two-step sign-in.
    const refused = await browser.post('/account/two-step/recovery-codes', { csrf: inputValue(page, 'csrf') });
    const { authorize, landed, askedForSecondStep } = await stepUpInConsole(browser, refused, person, () => totpCode(seed, 1));
    expect(authorize.searchParams.get('max_age')).toBe('0');
    expect(authorize.searchParams.get('acr_values')).toBe('aal2');
    expect(askedForSecondStep).toBe(true);
    expect(landed.url.pathname).toBe('/account/two-step');
    expect(await server.db.knex('recovery_codes').where({ user_id: person.id }).pluck('code_hash')).toEqual(before);

    const made = await browser.post('/account/two-step/recovery-codes', { csrf: inputValue(await landed.response!.text(), 'csrf') });
    expect(made.status).toBe(200);
    const fresh = recoveryCodesOn(await made.text());
    expect(fresh).toHaveLength(10);
    const after = await server.db.knex('recovery_codes').where({ user_id: person.id }).pluck('code_hash');
    expect(after.filter((hash: string) => before.includes(hash))).toEqual([]);
    expect(signedIn(await submitRecovery(await atSecondStep(server, person, nextIp()), fresh[0]!))).toBe(true);
  });
});

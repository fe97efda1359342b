import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres } from './support/backends.ts';
import { nextIp, postFrom, TRUST_LOOPBACK } from './support/forwarded.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { atSecondStep, enrolInConsole, personWithPassword, totpCode } from './support/totp.ts';

/**
 * A code from the authenticator app works once. The step it matched is
 * recorded by one compare-and-set UPDATE in Postgres, so the same code again,
 * an older one, or the same code sent twice at once (from two addresses, to
 * two replicas, so no per-pair limit serialises them) gets in exactly once.
 */
describe(`TOTP replay (${canUseRealServices ? 'two replicas on Postgres + Redis' : 'PGlite'})`, () => {
  let a: TestServer;
  let b: TestServer;
  let closeDb: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (canUseRealServices) {
      const pg = await freshPostgres({ migrate: false });
      closeDb = () => pg.close();
      const secrets = randomBytes(32).toString('base64url');
      a = await startTestServer({ databaseUrl: pg.url, secrets, env: TRUST_LOOPBACK });
      b = await startTestServer({ databaseUrl: pg.url, secrets, env: TRUST_LOOPBACK });
    } else {
      a = await startTestServer({ env: TRUST_LOOPBACK });
      b = a;
    }
  }, 90_000);
  afterAll(async () => {
    if (b !== a) await b?.stop();
    await a?.stop();
    await closeDb?.();
  });

  const submit = (flow: Awaited<ReturnType<typeof atSecondStep>>, ip: string, code: string) => postFrom(flow, ip, `/interaction/${flow.uid}/totp`, { code });
  const signedIn = (response: Response) => response.status === 303 && /\/auth\//.test(response.headers.get('location') ?? '');

  it('accepts a code once: the same code again, and an older one, are refused', async () => {
    const person = await personWithPassword(a);
    const { seed } = await enrolInConsole(a, person.id);
    const next = await totpCode(seed, 1);

    const first = await submit(await atSecondStep(a, person, nextIp()), nextIp(), next);
    expect(signedIn(first)).toBe(true);

    const again = await submit(await atSecondStep(a, person, nextIp()), nextIp(), next);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('That code is not right or was already used');

    // The current step's code is older than the one just accepted: refused too.
    const older = await submit(await atSecondStep(a, person, nextIp()), nextIp(), await totpCode(seed, 0));
    expect(older.status).toBe(400);
    const events = await a.db.knex('audit_events').where({ type: 'sign_in.failure' }).whereRaw("data->>'method' = 'otp'").whereRaw("data->>'identifier' like ?", [`${person.email.slice(0, 2)}***%`]);
    expect(events.length).toBeGreaterThanOrEqual(2);
  });

  it('two parallel posts of one fresh code, to two replicas from two addresses: exactly one signs in', async () => {
    const person = await personWithPassword(a);
    const { seed } = await enrolInConsole(a, person.id);
    for (let round = 0; round < 3; round += 1) {
      const [one, two] = await Promise.all([atSecondStep(a, person, nextIp()), atSecondStep(b, person, nextIp())]);
      const code = await totpCode(seed, 1);
      // Each round needs a later step than the last accepted one; move it back so the next round's code is fresh.
      await a.db.knex('users').where({ id: person.id }).update({ totp_last_step: null });
      const answers = await Promise.all([submit(one, nextIp(), code), submit(two, nextIp(), code)]);
      expect(answers.filter(signedIn)).toHaveLength(1);
      expect(answers.map((answer) => answer.status).sort()).toEqual([303, 400]);
    }
  });

  it('refuses a malformed code with the format message, and a right code for someone else', async () => {
    const person = await personWithPassword(a);
    const other = await personWithPassword(a);
    await enrolInConsole(a, person.id);
    const { seed: otherSeed } = await enrolInConsole(a, other.id);
    const flow = await atSecondStep(a, person, nextIp());
    const malformed = await submit(flow, nextIp(), '12ab56');
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('Enter the 6-digit code');
    const wrongSeed = await submit(flow, nextIp(), await totpCode(otherSeed, 1));
    expect(wrongSeed.status).toBe(400);
  });
});

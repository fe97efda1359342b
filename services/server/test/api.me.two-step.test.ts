import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startApiTestServer, userToken } from './support/api.ts';
import type { TestServer } from './support/server.ts';
import { enrolInConsole, personWithPassword, totpCode } from './support/totp.ts';

/**
 * /api/v1/me/two-step: the status the console shows, and turning the app off
 * with a current code (or a recovery code) in the request, since a bearer
 * token cannot show a recent second factor. Wrong codes are refused,
 * counted against the code-entry limit, and change nothing.
 */
describe('account API: two-step verification (/api/v1/me/two-step)', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Wrong codes count against the code-entry limit: three per IP here.
    server = await startApiTestServer({ env: { LATCHKEY_RATE_LIMITS: 'code-entry.ip=3/1h' } });
  }, 60_000);
  afterAll(() => server?.stop());

  const api = async (userId: string) => apiClient(server, (await userToken(server, ['account'], { userId })).token);

  it('reports the app off, then on with ten recovery codes', async () => {
    const person = await personWithPassword(server);
    const client = await api(person.id);
    expect(await client.me.twoStep.get()).toMatchObject({ status: 200, body: { totp_enabled: false, recovery_codes_left: 0 } });
    await enrolInConsole(server, person.id);
    expect(await client.me.twoStep.get()).toMatchObject({ status: 200, body: { totp_enabled: true, recovery_codes_left: 10 } });
  });

  it('turns the app off with a current code; the same code again finds it off (409)', async () => {
    const person = await personWithPassword(server);
    const { seed } = await enrolInConsole(server, person.id);
    const client = await api(person.id);
    const code = await totpCode(seed, 1);
    const off = await client.me.twoStep.turnOffTotp({ body: { code } });
    expect(off).toMatchObject({ status: 200, body: { totp_enabled: false, recovery_codes_left: 0 } });
    expect(await server.db.knex('users').where({ id: person.id }).first('totp_secret')).toEqual({ totp_secret: null });
    expect(await server.db.knex('audit_events').where({ type: 'totp.disabled', subject_id: person.id }).first()).toMatchObject({ actor_id: person.id });
    const again = await client.me.twoStep.turnOffTotp({ body: { code } });
    expect(again.status).toBe(409);
  });

  it('turns it off with a recovery code (lost phone)', async () => {
    const person = await personWithPassword(server);
    const { codes } = await enrolInConsole(server, person.id);
    const off = await (await api(person.id)).me.twoStep.turnOffTotp({ body: { code: codes[3]! } });
    expect(off).toMatchObject({ status: 200, body: { totp_enabled: false } });
  });

  it('refuses a wrong, replayed or malformed code with a problem naming body.code, changing nothing, and rate-limits guessing', async () => {
    const person = await personWithPassword(server);
    const { seed } = await enrolInConsole(server, person.id);
    const client = await api(person.id);
    const wrong = await client.me.twoStep.turnOffTotp({ body: { code: '000000' } });
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(JSON.stringify(wrong.body)).toContain('body.code');
    // The code the set-up used (this step) was accepted once already.
    expect((await client.me.twoStep.turnOffTotp({ body: { code: await totpCode(seed, 0) } })).status).toBe(400);
    expect((await client.me.twoStep.turnOffTotp({ body: { code: '' } })).status).toBe(400);
    expect((await client.me.twoStep.turnOffTotp({ body: { code: 'x', extra: 1 } as never })).status).toBe(400);
    expect((await client.me.twoStep.get()).body).toMatchObject({ totp_enabled: true });
    // Three wrong answers from this IP: the next is refused before it is checked, even a right one.
    expect((await client.me.twoStep.turnOffTotp({ body: { code: '111111' } })).status).toBe(400);
    const limited = await client.me.twoStep.turnOffTotp({ body: { code: await totpCode(seed, 1) } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await client.me.twoStep.get()).body).toMatchObject({ totp_enabled: true });
  });
});

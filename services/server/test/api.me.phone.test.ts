import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startApiTestServer, userToken } from './support/api.ts';
import { codeFromDevOutbox, phoneNumber, typed } from './support/phone-flow.ts';
import type { TestServer } from './support/server.ts';

describe('account API: phone number (/api/v1/me/phone)', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Texts stay in the dev outbox (no SMS_URL); two requests per (number, IP) so the limit shows in three.
    server = await startApiTestServer({ env: { LATCHKEY_RATE_LIMITS: 'code-request.pair=2/1h' } });
  }, 60_000);
  afterAll(() => server?.stop());

  const person = async (fields: Record<string, unknown> = {}) => {
    const userId = await server.createUser(fields);
    return { userId, api: apiClient(server, (await userToken(server, ['account'], { userId })).token) };
  };

  it('texts a code, changes nothing before it, then makes the number verified; GET shows it', async () => {
    const { userId, api } = await person();
    expect((await api.me.phone.get()).body).toEqual({ phone: null, verified: false, verified_at: null });
    const number = phoneNumber();
    const started = await api.me.phone.start({ body: { phone: typed(number) } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ phone: number });
    const code = await codeFromDevOutbox(server, number);
    expect((await api.me.phone.get()).body).toMatchObject({ phone: null, verified: false });

    const wrong = await api.me.phone.verify({ body: { phone: number, code: code === '000000' ? '111111' : '000000' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.code' }] });

    const verified = await api.me.phone.verify({ body: { phone: number, code } });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ phone: number, verified: true });
    expect(Date.parse((verified.body as { verified_at: string }).verified_at)).toBeGreaterThan(Date.now() - 60_000);
    expect((await api.me.phone.get()).body).toMatchObject({ phone: number, verified: true });
    const event = await server.db.knex('audit_events').where({ type: 'phone.verified', subject_id: userId }).first();
    expect(event).toMatchObject({ actor_type: 'user', actor_id: userId, data: { via: 'api' } });
    // Used once.
    expect((await api.me.phone.verify({ body: { phone: number, code } })).status).toBe(400);
  });

  it('names the field for a number it cannot read, refuses unknown fields, and limits requests per number with 429', async () => {
    const { api } = await person();
    const bad = await api.me.phone.start({ body: { phone: '12345' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.phone' }] });
    expect((await api.me.phone.start({ body: { phone: phoneNumber(), verified: true } as never })).status).toBe(400);
    const number = phoneNumber();
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await api.me.phone.start({ body: { phone: number } })).status);
    expect(statuses).toEqual([202, 202, 429]);
  });

  it('409 for a number another account has verified, naming no one', async () => {
    const number = phoneNumber();
    await server.createUser({ email: 'holder@example.com', phone: number, phone_verified: true });
    const { userId, api } = await person();
    expect((await api.me.phone.start({ body: { phone: number } })).status).toBe(202);
    const clash = await api.me.phone.verify({ body: { phone: number, code: await codeFromDevOutbox(server, number) } });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ code: 'conflict' });
    expect(JSON.stringify(clash.body)).not.toContain('holder@');
    expect((await api.me.phone.get()).body).toMatchObject({ phone: null });
    expect(await server.db.knex('users').where({ id: userId }).first('phone')).toEqual({ phone: null });
  });

  it('DELETE removes the number, 409 while it is the only way in, 404 when there is none', async () => {
    const lone = await person({ email_verified: false, phone: phoneNumber(), phone_verified: true });
    const refused = await lone.api.me.phone.remove();
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'conflict' });

    const { userId, api } = await person({ phone: phoneNumber(), phone_verified: true });
    const removed = await api.me.phone.remove();
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ phone: null, verified: false, verified_at: null });
    expect(await server.db.knex('audit_events').where({ type: 'phone.removed', subject_id: userId })).toHaveLength(1);
    expect((await api.me.phone.remove()).status).toBe(404);
  });
});

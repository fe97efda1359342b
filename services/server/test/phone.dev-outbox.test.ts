import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startFlow } from './support/email-code-flow.ts';
import { codeFromDevOutbox, phoneNumber } from './support/phone-flow.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/** Embedded defaults (PGlite, in-process store, no SMS_URL): texts are kept in the dev outbox at /dev/sms. */
describe('phone on a laptop: the dev outbox', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { REDIS_URL: '' } });
  }, 60_000);
  afterAll(() => server?.stop());

  it('signs in with the code read from /dev/sms', async () => {
    const number = phoneNumber();
    const userId = await server.createUser({ phone: number, phone_verified: true });
    const flow = await startFlow(server);
    expect((await post(flow, `/interaction/${flow.uid}/phone`, { phone: number })).status).toBe(200);
    const outbox = await fetch(`${server.url}/dev/sms`);
    expect(outbox.status).toBe(200);
    expect(outbox.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const page = await outbox.text();
    expect(page).toContain('SMS_URL is not set');
    expect(page).toContain(`<dd>${number}</dd>`);
    const code = await codeFromDevOutbox(server, number);

    const verified = await post(flow, `/interaction/${flow.uid}/phone/verify`, { phone: number, code });
    expect(verified.status).toBe(303);
    expect(new URL(verified.headers.get('location')!, server.url).pathname).toBe(`/auth/${flow.uid}`);
    expect(await server.db.knex('audit_events').where({ type: 'sign_in.success', subject_id: userId })).toHaveLength(1);
  });

  it('keeps nothing for a number without an account (nothing would have been sent)', async () => {
    const number = phoneNumber();
    const flow = await startFlow(server);
    expect((await post(flow, `/interaction/${flow.uid}/phone`, { phone: number })).status).toBe(200);
    expect(await (await fetch(`${server.url}/dev/sms`)).text()).not.toContain(number);
  });

  it('is not shown to a request relayed by a proxy (it says whom it forwards)', async () => {
    const relayed = await fetch(`${server.url}/dev/sms`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(relayed.status).toBe(404);
    expect(await relayed.text()).toBe('Not found');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeAccountStatus } from '../src/accounts/status.ts';
import { hashPassword } from '../src/password/hash.ts';
import { createWebhook } from '../src/webhooks/manage.ts';
import { get, post, startFlow } from './support/email-code-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { startReceiver, type Receiver } from './support/webhook-receiver.ts';

const PASSWORD = 'plum tree harbour lantern';
const OPERATOR = { actorType: 'operator' as const, actorId: 'test' };

describe('webhook delivery', () => {
  let server: TestServer;
  let signIns: Receiver;
  let users: Receiver;

  beforeAll(async () => {
    server = await startTestServer({ backend: canUseRealServices ? 'postgres' : 'pglite', webhooks: { pollMs: 50 } });
    signIns = await startReceiver();
    users = await startReceiver();
  });
  afterAll(async () => {
    await server?.stop();
    await signIns?.close();
    await users?.close();
  });

  it('signs every delivery per Standard Webhooks and sends each endpoint only the types it subscribed to', async () => {
    const deps = { knex: server.db.knex, keyring: server.keyring };
    const a = await createWebhook(deps, { url: signIns.url, event_types: ['sign_in.succeeded', 'sign_in.failed', 'session.created'] }, OPERATOR);
    const b = await createWebhook(deps, { url: users.url, event_types: ['user.updated'] }, OPERATOR);
    if ('problem' in a || 'problem' in b) throw new Error('webhook not created');
    expect(a.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    signIns.setSecret(a.secret);
    users.setSecret(b.secret);

    const email = `hooked-${process.pid}@example.com`;
    const userId = await server.createUser({ email, password_hash: await hashPassword(PASSWORD) });
    const flow = await startFlow(server);
    expect((await post(flow, `/interaction/${flow.uid}/password`, { email, password: 'not the password at all' })).status).toBe(401);
    const right = await post(flow, `/interaction/${flow.uid}/password`, { email, password: PASSWORD });
    expect(right.status).toBe(303);
    await get(flow, new URL(right.headers.get('location')!, server.url).pathname);
    await changeAccountStatus({ knex: server.db.knex, store: server.store }, userId, { action: 'block' }, { actor: OPERATOR });

    await signIns.waitFor((r) => r.length >= 3);
    await users.waitFor((r) => r.length >= 1);
    // Nothing else arrives late (session.revoked and grant.revoked had no subscriber).
    await new Promise((r) => setTimeout(r, 400));

    for (const delivery of [...signIns.received, ...users.received]) {
      expect(delivery.verifyError).toBeUndefined();
      expect(delivery.headers['content-type']).toBe('application/json');
      expect(delivery.headers['webhook-id']).toMatch(/^evt_\d+$/);
      expect(Math.abs(Number(delivery.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      expect(delivery.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(new Date(delivery.payload!.timestamp).toISOString()).toBe(delivery.payload!.timestamp);
    }
    expect(signIns.received.map((r) => r.payload!.type)).toEqual(['sign_in.failed', 'sign_in.succeeded', 'session.created']);
    const [failed, succeeded, session] = signIns.received.map((r) => r.payload!.data);
    expect(failed).toMatchObject({ user_id: userId, reason: 'credentials', method: 'pwd', ip: '127.0.0.1' });
    expect(JSON.stringify(failed)).not.toContain(email);
    expect(succeeded).toMatchObject({ user_id: userId, method: 'pwd', client_id: expect.any(String) });
    expect(session).toMatchObject({ user_id: userId, session_id: expect.any(String), ip: '127.0.0.1' });
    expect(new Set(signIns.received.map((r) => r.headers['webhook-id'])).size).toBe(3);

    expect(users.received.map((r) => r.payload)).toEqual([
      { type: 'user.updated', timestamp: expect.any(String), data: { user_id: userId, change: 'user_blocked' } },
    ]);

    // The endpoint's own secret, nobody else's: the other endpoint's secret does not verify it.
    const { Webhook } = await import('standardwebhooks');
    const sample = users.received[0]!;
    expect(() => new Webhook(a.secret).verify(sample.body, sample.headers as Record<string, string>)).toThrow();

    const rows = await server.db.knex('webhook_deliveries').select('status', 'attempts', 'last_status');
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toEqual({ status: 'delivered', attempts: 1, last_status: 204 });
  });
});

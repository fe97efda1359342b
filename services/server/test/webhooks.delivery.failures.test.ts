import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeAccountStatus, type StatusChange } from '../src/accounts/status.ts';
import { createWebhook } from '../src/webhooks/manage.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { startReceiver, type Receiver } from './support/webhook-receiver.ts';

const OPERATOR = { actorType: 'operator' as const, actorId: 'test' };

describe('webhook deliveries that fail', () => {
  let server: TestServer;
  let receiver: Receiver;
  let elsewhere: Receiver;

  beforeAll(async () => {
    server = await startTestServer({
      backend: canUseRealServices ? 'postgres' : 'pglite',
      webhooks: { pollMs: 30, retry: { baseDelayMs: 20, maxDelayMs: 40, maxAttempts: 3, maxAgeMs: 60_000 } },
    });
    receiver = await startReceiver();
    elsewhere = await startReceiver();
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
    await elsewhere?.close();
  });

  const deliveries = () => server.db.knex('webhook_deliveries').orderBy('event_id').select('status', 'attempts', 'last_status', 'last_error');
  const settled = async (count: number) => {
    for (let i = 0; i < 300; i += 1) {
      const rows = await deliveries();
      if (rows.length === count && rows.every((row) => row.status !== 'pending')) return rows;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`not settled: ${JSON.stringify(await deliveries())}`);
  };

  it('never follows a redirect, gives up on a 4xx at once and after the last retry, and then lets the next event of the subject go', async () => {
    const created = await createWebhook({ knex: server.db.knex, keyring: server.keyring }, { url: receiver.url, event_types: ['user.updated'] }, OPERATOR);
    if ('problem' in created) throw new Error('webhook not created');
    receiver.setSecret(created.secret);
    receiver.redirect(elsewhere.url);
    // 1st event: a redirect to another host; 2nd: 400; 3rd: 500 every time; 4th: accepted.
    receiver.respond((n) => (n === 1 ? 307 : n === 2 ? 400 : n <= 5 ? 500 : 204));
    const userId = await server.createUser();
    const steps: StatusChange[] = [{ action: 'block' }, { action: 'unblock' }, { action: 'block' }, { action: 'unblock' }];
    for (const change of steps) await changeAccountStatus({ knex: server.db.knex, store: server.store }, userId, change, { actor: OPERATOR });

    const rows = await settled(4);
    expect(rows[0]).toMatchObject({ status: 'failed', attempts: 1, last_status: 307 });
    expect(rows[1]).toMatchObject({ status: 'failed', attempts: 1, last_status: 400 });
    expect(rows[2]).toMatchObject({ status: 'failed', attempts: 3, last_status: 500 });
    expect(rows[2].last_error).toMatch(/gave up after 3 attempts/);
    expect(rows[3]).toMatchObject({ status: 'delivered', attempts: 1, last_status: 204 });
    // One subject, strictly in order: each event was tried only after the one before had finished.
    const order = receiver.received.map((r) => Number(String(r.headers['webhook-id']).slice(4)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(receiver.received).toHaveLength(6);
    expect(elsewhere.received).toHaveLength(0);
  });
});

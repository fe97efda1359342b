import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeAccountStatus, type StatusChange } from '../src/accounts/status.ts';
import { createWebhook } from '../src/webhooks/manage.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { startReceiver, type ReceivedDelivery, type Receiver } from './support/webhook-receiver.ts';

const OPERATOR = { actorType: 'operator' as const, actorId: 'test' };
const CHANGE = { block: 'user_blocked', unblock: 'user_unblocked', lock: 'user_locked', unlock: 'user_unlocked', delete: 'user_deleted' };
const accepted = (r: ReceivedDelivery, statusOf: Map<ReceivedDelivery, number>) => statusOf.get(r) === 204;

describe('webhook receiver down, then back', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    server = await startTestServer({
      backend: canUseRealServices ? 'postgres' : 'pglite',
      webhooks: { pollMs: 30, retry: { baseDelayMs: 50, maxDelayMs: 200, maxAttempts: 100, maxAgeMs: 60_000 } },
    });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
  });

  it('delivers every event exactly once, in order per subject, after refusals, 503s and 429s', async () => {
    const created = await createWebhook({ knex: server.db.knex, keyring: server.keyring }, { url: receiver.url, event_types: ['user.updated'] }, OPERATOR);
    if ('problem' in created) throw new Error('webhook not created');
    receiver.setSecret(created.secret);
    await receiver.down();

    const [x, y] = [await server.createUser(), await server.createUser()];
    const deps = { knex: server.db.knex, store: server.store };
    const steps: Array<[string, StatusChange]> = [
      [x, { action: 'block' }],
      [y, { action: 'block' }],
      [x, { action: 'unblock' }],
      [y, { action: 'unblock' }],
      [x, { action: 'lock', until: new Date(Date.now() + 3_600_000) }],
      [x, { action: 'unlock' }],
      [y, { action: 'delete' }],
    ];
    for (const [userId, change] of steps) await changeAccountStatus(deps, userId, change, { actor: OPERATOR });

    // Connections refused for a while: several attempts fail and back off.
    await new Promise((r) => setTimeout(r, 600));
    const attempted = await server.db.knex('webhook_deliveries').max('attempts as max').first();
    expect(Number(attempted!.max)).toBeGreaterThan(1);
    expect(receiver.received).toHaveLength(0);

    // Back, but overloaded at first: the first answers are 503 and 429, then 204.
    const statusOf = new Map<ReceivedDelivery, number>();
    receiver.respond((n) => {
      const status = n <= 2 ? 503 : n <= 4 ? 429 : 204;
      statusOf.set(receiver.received[n - 1]!, status);
      return status;
    });
    await receiver.up();
    await receiver.waitFor((r) => r.filter((d) => accepted(d, statusOf)).length >= steps.length);
    await new Promise((r) => setTimeout(r, 300));

    for (const delivery of receiver.received) expect(delivery.verifyError).toBeUndefined();
    const ok = receiver.received.filter((d) => accepted(d, statusOf));
    // Exactly once: one accepted delivery per event, nothing after.
    expect(ok).toHaveLength(steps.length);
    expect(new Set(ok.map((d) => d.headers['webhook-id'])).size).toBe(steps.length);

    for (const userId of [x, y]) {
      const expected = steps.filter(([id]) => id === userId).map(([, change]) => CHANGE[change.action]);
      const mine = (d: ReceivedDelivery) => d.payload!.data.user_id === userId;
      expect(ok.filter(mine).map((d) => d.payload!.data.change)).toEqual(expected);
      // Strictly in order: no attempt at a later event before the earlier one was accepted.
      const ids = receiver.received.filter(mine).map((d) => Number(String(d.headers['webhook-id']).slice(4)));
      for (let i = 1; i < ids.length; i += 1) expect(ids[i]).toBeGreaterThanOrEqual(ids[i - 1]!);
    }
    const rows = await server.db.knex('webhook_deliveries').select('status');
    expect(rows.every((row) => row.status === 'delivered')).toBe(true);
  });
});

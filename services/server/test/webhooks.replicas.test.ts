import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeAccountStatus } from '../src/accounts/status.ts';
import { createWebhook } from '../src/webhooks/manage.ts';
import { startDeployment, type Deployment } from './support/deployment.ts';
import { canUseRealServices } from './support/server.ts';
import { startReceiver, type Receiver } from './support/webhook-receiver.ts';

const OPERATOR = { actorType: 'operator' as const, actorId: 'test' };

// Three senders on one database: two `latchkey start` replicas and the in-process server.
describe.skipIf(!canUseRealServices)('webhooks on several replicas', () => {
  let deployment: Deployment;
  let receiver: Receiver;

  beforeAll(async () => {
    deployment = await startDeployment();
    receiver = await startReceiver();
  }, 60_000);
  afterAll(async () => {
    await deployment?.stop();
    await receiver?.close();
  });

  it('sends each delivery once: replicas never claim the same one', async () => {
    const { pages } = deployment;
    const created = await createWebhook({ knex: pages.db.knex, keyring: pages.keyring }, { url: receiver.url, event_types: ['user.updated'] }, OPERATOR);
    if ('problem' in created) throw new Error('webhook not created');
    receiver.setSecret(created.secret);
    const users = await Promise.all(Array.from({ length: 30 }, () => pages.createUser()));
    await Promise.all(users.map((userId) => changeAccountStatus({ knex: pages.db.knex, store: pages.store }, userId, { action: 'block' }, { actor: OPERATOR })));

    await receiver.waitFor((r) => r.length >= users.length, 20_000);
    // Give a duplicate time to show up.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(receiver.received).toHaveLength(users.length);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(users.length);
    for (const delivery of receiver.received) expect(delivery.verifyError).toBeUndefined();
    const rows = await pages.db.knex('webhook_deliveries').select('status', 'attempts');
    expect(rows).toHaveLength(users.length);
    for (const row of rows) expect(row).toEqual({ status: 'delivered', attempts: 1 });
  }, 60_000);
});

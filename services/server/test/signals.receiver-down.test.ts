import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeAccountStatus } from '../src/accounts/status.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { setValidator, ssfCall, ssfReceiverToken, startPushReceiver, type PushReceiver } from './support/ssf-receiver.ts';

const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const OPERATOR = { actorType: 'operator' as const, actorId: 'test' };

// A real one-minute outage under the default retry policy (5 s doubling, jittered).
describe('shared signals push to a receiver that is down for a minute', () => {
  let server: TestServer;
  let receiver: PushReceiver;
  beforeAll(async () => {
    server = await startTestServer({ backend: canUseRealServices ? 'postgres' : 'pglite', signals: { pollMs: 200 } });
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
  });

  it('gets every event afterwards, each once', async () => {
    const { token, clientId } = await ssfReceiverToken(server);
    receiver = await startPushReceiver(setValidator(server.issuer, clientId));
    const created = await ssfCall(server, token, 'POST', '/ssf/streams', {
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.url },
      events_requested: [`${RISC}account-disabled`, `${RISC}account-enabled`],
    });
    expect(created.status).toBe(201);
    await receiver.down();
    const users = await Promise.all(Array.from({ length: 5 }, () => server.createUser()));
    for (const userId of users) {
      await changeAccountStatus({ knex: server.db.knex, store: server.store }, userId, { action: 'block' }, { actor: OPERATOR });
      await changeAccountStatus({ knex: server.db.knex, store: server.store }, userId, { action: 'unblock' }, { actor: OPERATOR });
    }
    await new Promise((r) => setTimeout(r, 60_000));
    const failedSoFar = await server.db.knex('ssf_outbox').where({ state: 'pending' }).andWhere('attempts', '>', 1).count<{ count: string }[]>('* as count');
    expect(Number(failedSoFar[0]!.count)).toBe(10);
    await receiver.up();
    await receiver.waitFor((sets) => sets.length >= 10, 90_000);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(receiver.errors).toEqual([]);
    expect(receiver.received).toHaveLength(10);
    expect(new Set(receiver.received.map((s) => s.claims.jti)).size).toBe(10);
    for (const userId of users) {
      const mine = receiver.received.filter((s) => (s.claims.sub_id as { sub?: string }).sub === userId).map((s) => s.type);
      expect(mine.sort()).toEqual([`${RISC}account-disabled`, `${RISC}account-enabled`]);
    }
    const rows = await server.db.knex('ssf_outbox').select('state');
    expect(rows.every((row) => row.state === 'delivered')).toBe(true);
  }, 200_000);
});

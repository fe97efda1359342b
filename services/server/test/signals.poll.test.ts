import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeAccountStatus } from '../src/accounts/status.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { setValidator, ssfCall, ssfReceiverToken } from './support/ssf-receiver.ts';

const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/';
const OPERATOR = { actorType: 'operator' as const, actorId: 'test' };

describe.each(canUseRealServices ? (['postgres', 'pglite'] as const) : (['pglite'] as const))('shared signals poll delivery (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(() => server?.stop());

  async function pollStream(events: string[]) {
    const receiver = await ssfReceiverToken(server);
    const { body } = await ssfCall(server, receiver.token, 'POST', '/ssf/streams', { delivery: { method: 'urn:ietf:rfc:8936' }, events_requested: events });
    const path = new URL(body.delivery.endpoint_url).pathname;
    return { ...receiver, id: body.stream_id as string, path, validator: setValidator(server.issuer, receiver.clientId) };
  }

  it('delivers a verification event with the receiver\'s state', async () => {
    const stream = await pollStream([]);
    expect((await ssfCall(server, stream.token, 'POST', '/ssf/verify', { stream_id: stream.id, state: 'abc-123' })).status).toBe(204);
    const { status, body } = await ssfCall(server, stream.token, 'POST', stream.path, { returnImmediately: true });
    expect(status).toBe(200);
    expect(body.moreAvailable).toBe(false);
    const sets = await Promise.all(Object.values(body.sets as Record<string, string>).map((jwt) => stream.validator.validate(jwt)));
    expect(sets).toHaveLength(1);
    expect(sets[0]!.type).toBe(`${SSF}verification`);
    expect(sets[0]!.event).toEqual({ state: 'abc-123' });
    expect(sets[0]!.claims.sub_id).toEqual({ format: 'opaque', id: stream.id });
    expect(Object.keys(body.sets)).toEqual([sets[0]!.claims.jti]);
  });

  it('keeps events until acknowledged: unacknowledged ones come again, acknowledged ones never', async () => {
    const stream = await pollStream([`${RISC}account-disabled`, `${RISC}account-enabled`]);
    const userId = await server.createUser();
    await changeAccountStatus({ knex: server.db.knex, store: server.store }, userId, { action: 'block' }, { actor: OPERATOR });
    await changeAccountStatus({ knex: server.db.knex, store: server.store }, userId, { action: 'unblock' }, { actor: OPERATOR });

    const first = await ssfCall(server, stream.token, 'POST', stream.path, { returnImmediately: true, maxEvents: 1 });
    expect(first.body.moreAvailable).toBe(true);
    const [jti1] = Object.keys(first.body.sets);
    const again = await ssfCall(server, stream.token, 'POST', stream.path, { returnImmediately: true });
    // Not acknowledged: the first comes again, now with the second.
    expect(Object.keys(again.body.sets)).toEqual([jti1, expect.any(String)]);
    const validator = setValidator(server.issuer, stream.clientId);
    const sets = await Promise.all(Object.values(again.body.sets as Record<string, string>).map((jwt) => validator.validate(jwt)));
    expect(sets.map((s) => s.type)).toEqual([`${RISC}account-disabled`, `${RISC}account-enabled`]);
    for (const set of sets) expect(set.claims.sub_id).toEqual({ format: 'iss_sub', iss: server.issuer, sub: userId });

    const acked = await ssfCall(server, stream.token, 'POST', stream.path, { returnImmediately: true, ack: [jti1] });
    expect(Object.keys(acked.body.sets)).toEqual([Object.keys(again.body.sets)[1]]);
    const done = await ssfCall(server, stream.token, 'POST', stream.path, { returnImmediately: true, ack: Object.keys(acked.body.sets) });
    expect(done.body).toEqual({ sets: {}, moreAvailable: false });
  });

  it('answers a long poll as soon as an event is enqueued', async () => {
    const stream = await pollStream([`${RISC}account-disabled`]);
    const userId = await server.createUser();
    const started = Date.now();
    const held = ssfCall(server, stream.token, 'POST', stream.path, { returnImmediately: false });
    await new Promise((r) => setTimeout(r, 300));
    const changed = Date.now();
    await changeAccountStatus({ knex: server.db.knex, store: server.store }, userId, { action: 'block' }, { actor: OPERATOR });
    const { body } = await held;
    const waited = Date.now() - changed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(1000);
    const [jwt] = Object.values(body.sets as Record<string, string>);
    expect((await stream.validator.validate(jwt!)).type).toBe(`${RISC}account-disabled`);
  });
});

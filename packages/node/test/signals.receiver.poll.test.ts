import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntrospector, createSignalReceiver, createVerifier, InvalidTokenError, type SignalReceiver, type Verifier } from '../src/index.ts';
import { startFakeTransmitter, type FakeTransmitter } from './fake-transmitter.ts';

const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';

/** Polls `check` every 5 ms until it holds; how long that took (ms). */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    if (await check()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`not within ${ms} ms`);
}

const refused = (verifier: Verifier, token: string) =>
  verifier.verify(token).then(
    () => false,
    (error: unknown) => error instanceof InvalidTokenError && error.reason === 'revoked',
  );

/**
 * The receiver polling a transmitter that speaks RFC 8936 with real signed
 * SETs: a revoked session, grant or user is refused by the verifier as soon
 * as the long poll delivers the event, and every SET is validated (bad ones
 * reported back in setErrs, duplicates applied once).
 */
describe('createSignalReceiver (poll) feeds the verifier', () => {
  let transmitter: FakeTransmitter;
  let receiver: SignalReceiver;
  let verifier: Verifier;
  const events: string[] = [];

  beforeAll(async () => {
    transmitter = await startFakeTransmitter();
    receiver = createSignalReceiver({ issuer: transmitter.issuer, clientId: 'rs', clientSecret: 's', onEvent: (e) => events.push(e.jti), onError: () => {} });
    await receiver.start();
    verifier = createVerifier({ issuer: transmitter.issuer, audience: transmitter.audience, signals: receiver });
  });
  afterAll(async () => {
    await receiver?.close();
    await transmitter?.close();
  });

  const user = (sub: string) => ({ format: 'iss_sub', iss: transmitter.issuer, sub });

  it('creates one poll stream, and a second receiver with the same client reuses it', async () => {
    expect(transmitter.streams).toHaveLength(1);
    expect(transmitter.streams[0]).toMatchObject({ delivery: { method: 'urn:ietf:rfc:8936' } });
    expect(transmitter.streams[0]!.events_requested).toEqual(expect.arrayContaining([`${CAEP}session-revoked`, `${RISC}account-disabled`, `${CAEP}credential-change`]));
    const again = createSignalReceiver({ issuer: transmitter.issuer, clientId: 'rs', clientSecret: 's' });
    await again.start();
    await again.close();
    expect(transmitter.streams).toHaveLength(1);
    expect(again.stream?.stream_id).toBe(receiver.stream?.stream_id);
  });

  it('a revoked session: its token is refused within a second, other sessions\' tokens are not', async () => {
    const mine = await transmitter.accessToken({ sub: 'u1', sid: 'session-one' });
    const other = await transmitter.accessToken({ sub: 'u1', sid: 'session-two' });
    expect((await verifier.verify(mine)).sub).toBe('u1');
    const started = performance.now();
    const jti = await transmitter.emit(`${CAEP}session-revoked`, { event_timestamp: Math.floor(Date.now() / 1000) }, {
      format: 'complex', user: user('u1'), session: { format: 'opaque', id: 'session-one' },
    });
    await within(1000, () => refused(verifier, mine));
    console.log(`poll: session revoked → first refusal ${(performance.now() - started).toFixed(1)} ms`);
    const error = await verifier.verify(mine).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, code: 'invalid_token', reason: 'revoked', message: 'the session this token belongs to has ended' });
    expect((await verifier.verify(other)).sub).toBe('u1');
    await within(1000, async () => transmitter.acked.includes(jti));
  });

  it('a revoked grant refuses the tokens naming it', async () => {
    const token = await transmitter.accessToken({ sub: 'u2', gid: 'grant-9' });
    await transmitter.emit(`${CAEP}session-revoked`, { event_timestamp: Math.floor(Date.now() / 1000) }, { format: 'opaque', id: 'grant-9' });
    await within(1000, () => refused(verifier, token));
  });

  it('a disabled account: earlier tokens refused; after re-enabling, tokens issued later work and earlier ones stay refused', async () => {
    const before = await transmitter.accessToken({ sub: 'u3', iat: Math.floor(Date.now() / 1000) - 60 });
    const t = Math.floor(Date.now() / 1000);
    await transmitter.emit(`${RISC}account-disabled`, { reason: 'abuse' }, user('u3'));
    await within(1000, () => refused(verifier, before));
    await transmitter.emit(`${RISC}account-enabled`, {}, user('u3'));
    const after = await transmitter.accessToken({ sub: 'u3', iat: t + 1 });
    await within(1000, async () => (await verifier.verify(after).then(() => true, () => false)));
    expect(await refused(verifier, before)).toBe(true);
    expect(await refused(verifier, await transmitter.accessToken({ sub: 'someone-else' }))).toBe(false);
  });

  it('a credential change refuses the user\'s tokens issued before it', async () => {
    const before = await transmitter.accessToken({ sub: 'u4', iat: Math.floor(Date.now() / 1000) - 5 });
    await transmitter.emit(`${CAEP}credential-change`, { event_timestamp: Math.floor(Date.now() / 1000), credential_type: 'password', change_type: 'update' }, user('u4'));
    await within(1000, () => refused(verifier, before));
  });

  it('refuses bad SETs and reports them in setErrs; a duplicate jti is acknowledged and applied once', async () => {
    const sessionSubject = { format: 'complex', user: user('u5'), session: { format: 'opaque', id: 's5' } };
    const now = { event_timestamp: Math.floor(Date.now() / 1000) };
    const { privateKey: stranger } = await generateKeyPair('ES256');
    const bad = {
      audience: await transmitter.emit(`${CAEP}session-revoked`, now, sessionSubject, { claims: { aud: 'https://someone-else.example' } }),
      issuer: await transmitter.emit(`${CAEP}session-revoked`, now, sessionSubject, { claims: { iss: 'https://evil.example' } }),
      key: await transmitter.emit(`${CAEP}session-revoked`, now, sessionSubject, { key: stranger }),
      typ: await transmitter.emit(`${CAEP}session-revoked`, now, sessionSubject, { header: { typ: 'JWT' } }),
      event: await transmitter.emit('https://example.com/unknown-event', {}, sessionSubject),
      schema: await transmitter.emit(`${CAEP}session-revoked`, {}, sessionSubject),
    };
    await within(2000, async () => Object.keys(transmitter.errors).length >= 6);
    expect(transmitter.errors[bad.audience]).toMatchObject({ err: 'invalid_audience' });
    expect(transmitter.errors[bad.issuer]).toMatchObject({ err: 'invalid_issuer' });
    expect(transmitter.errors[bad.key]).toMatchObject({ err: 'invalid_key' });
    expect(transmitter.errors[bad.typ]).toMatchObject({ err: 'invalid_request' });
    expect(transmitter.errors[bad.event]).toMatchObject({ err: 'invalid_request', description: expect.stringContaining('unknown event type') });
    expect(transmitter.errors[bad.schema]).toMatchObject({ err: 'invalid_request', description: expect.stringContaining('event_timestamp') });
    // None of them refused anything.
    expect(await refused(verifier, await transmitter.accessToken({ sub: 'u5', sid: 's5' }))).toBe(false);

    const jti = await transmitter.emit(`${CAEP}session-revoked`, now, sessionSubject);
    await transmitter.emit(`${CAEP}session-revoked`, now, sessionSubject, { claims: { jti } });
    await within(1000, async () => transmitter.acked.filter((j) => j.startsWith(jti)).length === 2);
    expect(events.filter((j) => j === jti)).toHaveLength(1);
  });

  it('polling that fails is retried with backoff, and events queued meanwhile arrive once it recovers', async () => {
    transmitter.failPolls(true);
    const token = await transmitter.accessToken({ sub: 'u6', sid: 's6' });
    await transmitter.emit(`${CAEP}session-revoked`, { event_timestamp: Math.floor(Date.now() / 1000) }, { format: 'complex', user: user('u6'), session: { format: 'opaque', id: 's6' } });
    const failedFrom = transmitter.pollCount();
    await new Promise((r) => setTimeout(r, 1500));
    const attempts = transmitter.pollCount() - failedFrom;
    // Backoff: a handful of attempts in 1.5 s, not a busy loop.
    expect(attempts).toBeGreaterThan(0);
    expect(attempts).toBeLessThan(6);
    transmitter.failPolls(false);
    await within(5000, () => refused(verifier, token));
  });

  it('an introspector with signals drops its cached answer and refuses the token', async () => {
    const token = await transmitter.accessToken({ sub: 'u7', sid: 's7' });
    let calls = 0;
    const introspector = createIntrospector({
      issuer: transmitter.issuer, clientId: 'rs', clientSecret: 's', cacheMaxAge: 60, signals: receiver,
      // Latchkey's introspection answers a JWT with its claims; stand in for it here.
      fetch: async (input, init) => {
        if (String(input).endsWith('/token/introspection')) {
          calls += 1;
          return Response.json({ active: true, sub: 'u7', sid: 's7', scope: 'read', aud: transmitter.audience, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 });
        }
        return fetch(input, init);
      },
    });
    expect((await introspector.require(token)).sub).toBe('u7');
    expect((await introspector.require(token)).sub).toBe('u7');
    expect(calls).toBe(1);
    await transmitter.emit(`${CAEP}session-revoked`, { event_timestamp: Math.floor(Date.now() / 1000) }, { format: 'complex', user: user('u7'), session: { format: 'opaque', id: 's7' } });
    await within(1000, async () => (await introspector.introspect(token)).active === false);
    await expect(introspector.require(token)).rejects.toMatchObject({ reason: 'revoked' });
  });
});

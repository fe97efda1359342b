import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignalReceiver, createVerifier, requireAuth, type SignalReceiver } from '../src/index.ts';
import { RevocationSet } from '../src/revocation-set.ts';
import { startFakeTransmitter, type FakeTransmitter } from './fake-transmitter.ts';

const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

/**
 * Push delivery (RFC 8935): the receiver mounted as an Express route takes a
 * SET per POST, answers 202 once it is applied (the API's next request with
 * that session's token is refused), 400 `{err, description}` for a SET it
 * refuses, 401 without the stream's authorization header.
 */
describe('createSignalReceiver (push) as an Express route', () => {
  let transmitter: FakeTransmitter;
  let receiver: SignalReceiver;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    transmitter = await startFakeTransmitter();
    const app = express();
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    receiver = createSignalReceiver({
      issuer: transmitter.issuer, clientId: 'rs', clientSecret: 's', delivery: 'push',
      push: { url: `${base}/ssf/events`, authorization: 'Bearer push-secret' }, onError: () => {},
    });
    const verifier = createVerifier({ issuer: transmitter.issuer, audience: transmitter.audience, signals: receiver });
    app.post('/ssf/events', receiver.pushHandler);
    app.get('/things', requireAuth({ verifier }), (req, res) => void res.json({ sub: req.auth!.sub }));
    await receiver.start();
  });
  afterAll(async () => {
    await receiver?.close();
    server?.close();
    await transmitter?.close();
  });

  const push = (set: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/ssf/events`, { method: 'POST', headers: { authorization: 'Bearer push-secret', 'content-type': 'application/secevent+jwt', ...headers }, body: set });
  const subject = (sid: string) => ({ format: 'complex', user: { format: 'iss_sub', iss: transmitter.issuer, sub: 'u1' }, session: { format: 'opaque', id: sid } });

  it('creates a push stream naming the route and its authorization header', () => {
    expect(transmitter.streams).toEqual([expect.objectContaining({ delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: `${base}/ssf/events`, authorization_header: 'Bearer push-secret' } })]);
  });

  it('a pushed session-revoked: 202, and the API refuses that session\'s token on the next request', async () => {
    const token = await transmitter.accessToken({ sub: 'u1', sid: 'pushed-1' });
    expect((await fetch(`${base}/things`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const { set } = await transmitter.sign(SESSION_REVOKED, { event_timestamp: Math.floor(Date.now() / 1000) }, subject('pushed-1'));
    const started = performance.now();
    const answer = await push(set);
    expect(answer.status).toBe(202);
    const refused = await fetch(`${base}/things`, { headers: { authorization: `Bearer ${token}` } });
    console.log(`push: SET received → first refusal ${(performance.now() - started).toFixed(1)} ms`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await refused.json()).toEqual({ error: 'invalid_token', error_description: 'the session this token belongs to has ended' });
    // The same SET again (a lost 202) is accepted, not an error.
    expect((await push(set)).status).toBe(202);
  });

  it('refuses with 400 {err, description}, or 401 without the authorization header', async () => {
    const wrongAud = await transmitter.sign(SESSION_REVOKED, { event_timestamp: 1 }, subject('x'), { claims: { aud: 'https://other.example' } });
    let answer = await push(wrongAud.set);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ err: 'invalid_audience', description: expect.any(String) });

    answer = await push('not.a.jws');
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ err: 'invalid_request' });

    const good = await transmitter.sign(SESSION_REVOKED, { event_timestamp: 1 }, subject('y'));
    answer = await push(good.set, { 'content-type': 'application/json' });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ err: 'invalid_request' });

    answer = await push(good.set, { authorization: 'Bearer wrong' });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ err: 'authentication_failed' });
    expect(receiver.check({ sid: 'y' })).toBeUndefined();
  });
});

describe('RevocationSet stays bounded', () => {
  it('entries expire after maxTokenLifetime, and at most max are kept (the oldest go first)', () => {
    let clock = 1_000_000;
    const set = new RevocationSet({ maxTokenLifetime: 60, max: 3, now: () => clock });
    set.apply({ kind: 'session', sid: 'a' });
    set.apply({ kind: 'grant', gid: 'b' });
    set.apply({ kind: 'subject', sub: 'c', at: 1000 });
    set.apply({ kind: 'session', sid: 'd' });
    expect(set.size).toBe(3);
    expect(set.check({ sid: 'a' })).toBeUndefined();
    expect(set.check({ gid: 'b' })).toBeDefined();
    expect(set.check({ sub: 'c', iat: 999 })).toBeDefined();
    expect(set.check({ sub: 'c', iat: 1001 })).toBeUndefined();
    clock += 61_000;
    expect(set.check({ sid: 'd' })).toBeUndefined();
    set.apply({ kind: 'session', sid: 'e' });
    expect(set.size).toBe(1);
  });
});

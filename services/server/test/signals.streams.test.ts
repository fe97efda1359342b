import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { ssfCall, ssfReceiverToken } from './support/ssf-receiver.ts';

const POLL = 'urn:ietf:rfc:8936';
const PUSH = 'urn:ietf:rfc:8935';
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';

describe.each(canUseRealServices ? (['postgres', 'pglite'] as const) : (['pglite'] as const))('shared signals stream management (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(() => server?.stop());

  it('publishes the transmitter configuration with every URL from the issuer', async () => {
    const response = await fetch(`${server.url}/.well-known/ssf-configuration`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      spec_version: '1_0',
      issuer: server.issuer,
      jwks_uri: `${server.issuer}/jwks`,
      delivery_methods_supported: [PUSH, POLL],
      configuration_endpoint: `${server.issuer}/ssf/streams`,
      status_endpoint: `${server.issuer}/ssf/status`,
      add_subject_endpoint: `${server.issuer}/ssf/subjects:add`,
      remove_subject_endpoint: `${server.issuer}/ssf/subjects:remove`,
      verification_endpoint: `${server.issuer}/ssf/verify`,
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'ALL',
    });
  });

  it('creates, reads, updates, replaces and deletes a stream', async () => {
    const { token, clientId } = await ssfReceiverToken(server);
    const created = await ssfCall(server, token, 'POST', '/ssf/streams', {
      delivery: { method: POLL },
      events_requested: [`${CAEP}session-revoked`, 'https://example.com/not-an-event', `${CAEP}session-revoked`],
      description: 'orders API',
    });
    expect(created.status).toBe(201);
    const id = created.body.stream_id as string;
    expect(created.body).toMatchObject({
      iss: server.issuer,
      aud: clientId,
      delivery: { method: POLL, endpoint_url: `${server.issuer}/ssf/poll/${id}` },
      events_requested: [`${CAEP}session-revoked`, 'https://example.com/not-an-event'],
      events_delivered: [`${CAEP}session-revoked`],
      description: 'orders API',
    });
    expect(created.body.events_supported).toContain(`${CAEP}credential-change`);

    expect((await ssfCall(server, token, 'GET', `/ssf/streams?stream_id=${id}`)).body).toEqual(created.body);
    const all = await ssfCall(server, token, 'GET', '/ssf/streams');
    expect(all.status).toBe(200);
    expect(all.body).toEqual([created.body]);

    const patched = await ssfCall(server, token, 'PATCH', '/ssf/streams', { stream_id: id, events_requested: [`${CAEP}credential-change`] });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ events_delivered: [`${CAEP}credential-change`], description: 'orders API' });

    const replaced = await ssfCall(server, token, 'PUT', '/ssf/streams', {
      stream_id: id,
      delivery: { method: PUSH, endpoint_url: 'https://receiver.example.com/events', authorization_header: 'Bearer receiver-secret' },
      events_requested: [],
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.delivery).toEqual({ method: PUSH, endpoint_url: 'https://receiver.example.com/events' });
    expect(replaced.body).not.toHaveProperty('description');
    expect(JSON.stringify(replaced.body)).not.toContain('receiver-secret');
    const stored = await server.db.knex('ssf_streams').where({ id }).first('authorization_header');
    expect(stored.authorization_header).not.toContain('receiver-secret');

    expect((await ssfCall(server, token, 'GET', `/ssf/status?stream_id=${id}`)).body).toEqual({ stream_id: id, status: 'enabled' });
    const paused = await ssfCall(server, token, 'POST', '/ssf/status', { stream_id: id, status: 'paused', reason: 'maintenance' });
    expect(paused.body).toEqual({ stream_id: id, status: 'paused', reason: 'maintenance' });

    expect(await ssfCall(server, token, 'DELETE', `/ssf/streams?stream_id=${id}`)).toEqual({ status: 204, body: undefined });
    expect((await ssfCall(server, token, 'GET', `/ssf/streams?stream_id=${id}`)).status).toBe(404);
    const audit = await server.db.knex('audit_events').where({ subject_type: 'ssf_stream', subject_id: id }).orderBy('occurred_at').pluck('type');
    expect(audit).toEqual(['ssf_stream.created', 'ssf_stream.updated', 'ssf_stream.updated', 'ssf_stream.updated', 'ssf_stream.deleted']);
  });

  it('lets a receiver see and change only its own streams', async () => {
    const owner = await ssfReceiverToken(server);
    const other = await ssfReceiverToken(server);
    const { body } = await ssfCall(server, owner.token, 'POST', '/ssf/streams', { events_requested: [`${CAEP}session-revoked`] });
    const id = body.stream_id as string;
    expect((await ssfCall(server, other.token, 'GET', `/ssf/streams?stream_id=${id}`)).status).toBe(404);
    expect((await ssfCall(server, other.token, 'GET', '/ssf/streams')).body).toEqual([]);
    expect((await ssfCall(server, other.token, 'PATCH', '/ssf/streams', { stream_id: id, description: 'mine now' })).status).toBe(404);
    expect((await ssfCall(server, other.token, 'POST', '/ssf/status', { stream_id: id, status: 'disabled' })).status).toBe(404);
    expect((await ssfCall(server, other.token, 'POST', '/ssf/verify', { stream_id: id })).status).toBe(404);
    expect((await ssfCall(server, other.token, 'POST', `/ssf/poll/${id}`, { returnImmediately: true })).status).toBe(404);
    expect((await ssfCall(server, other.token, 'DELETE', `/ssf/streams?stream_id=${id}`)).status).toBe(404);
    // Untouched: no description added, still enabled.
    expect((await ssfCall(server, owner.token, 'GET', `/ssf/streams?stream_id=${id}`)).body).not.toHaveProperty('description');
    expect((await ssfCall(server, owner.token, 'GET', `/ssf/status?stream_id=${id}`)).body).toEqual({ stream_id: id, status: 'enabled' });
  });

  it('refuses callers without a receiver token', async () => {
    expect((await ssfCall(server, undefined, 'GET', '/ssf/streams')).status).toBe(401);
    expect((await ssfCall(server, 'not-a-token', 'GET', '/ssf/streams')).status).toBe(401);
    const other = await ssfReceiverToken(server, 'users:read');
    const refused = await ssfCall(server, other.token, 'POST', '/ssf/streams', {});
    expect(refused).toEqual({ status: 403, body: { error: 'insufficient_scope', error_description: 'the token needs the "ssf" scope' } });
  });

  it('answers bad input with a 400 JSON error, never a 5xx', async () => {
    const { token } = await ssfReceiverToken(server);
    const bad: unknown[] = [
      '{"delivery":',
      [],
      { delivery: { method: 'urn:example:carrier-pigeon' } },
      { delivery: { method: PUSH } },
      { delivery: { method: PUSH, endpoint_url: 'ftp://example.com/' } },
      { delivery: { method: PUSH, endpoint_url: 'https://user:pw@example.com/' } },
      { delivery: { method: PUSH, endpoint_url: 'https://example.com/', authorization_header: 'a\r\nb' } },
      { events_requested: 'all' },
      { events_requested: [1] },
      { description: 'x'.repeat(501) },
    ];
    for (const body of bad) {
      const answer = await ssfCall(server, token, 'POST', '/ssf/streams', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
    }
    for (const [method, path, body] of [
      ['PATCH', '/ssf/streams', {}],
      ['GET', '/ssf/status', undefined],
      ['POST', '/ssf/status', { stream_id: 'x', status: 'asleep' }],
      ['POST', '/ssf/subjects:add', { stream_id: 'x', subject: { format: 'phone_number', phone_number: '+1' } }],
      ['POST', '/ssf/verify', { stream_id: 'x', state: 7 }],
      ['POST', '/ssf/poll/not-a-uuid', { maxEvents: -1 }],
    ] as const) {
      const answer = await ssfCall(server, token, method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(400);
    }
    expect((await ssfCall(server, token, 'GET', '/ssf/streams?stream_id=not-a-uuid')).status).toBe(404);
  });
});

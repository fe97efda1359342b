import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeAccountStatus } from '../src/accounts/status.ts';
import { apiClient, clientApi, etag, personalToken, startApiTestServer, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';
import { startReceiver, type Receiver } from './support/webhook-receiver.ts';

const OPERATOR = { actorType: 'operator' as const, actorId: 'test' };

describe('admin API: webhooks', () => {
  let server: TestServer;
  let api: ApiClient;
  let readOnly: ApiClient;
  let receiver: Receiver;

  beforeAll(async () => {
    server = await startApiTestServer({ webhooks: { pollMs: 50 } });
    api = await clientApi(server, ['webhooks:read', 'webhooks:write']);
    readOnly = await clientApi(server, ['webhooks:read']);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
  });

  const block = async (userId: string) => changeAccountStatus({ knex: server.db.knex, store: server.store }, userId, { action: 'block' }, { actor: OPERATOR });

  it('creates (secret shown once), gets, lists, updates with If-Match and deletes a webhook; every change is audited', async () => {
    const created = await api.admin.webhooks.create({ body: { url: 'https://hooks.example.com/latchkey', description: 'CRM sync', event_types: ['user.created', 'user.updated'] } });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    expect(created.body).toMatchObject({ url: 'https://hooks.example.com/latchkey', description: 'CRM sync', event_types: ['user.created', 'user.updated'], enabled: true });
    expect(created.body.secret).toMatch(/^whsec_/);
    const id = created.body.id;

    const got = await api.admin.webhooks.get({ params: { id } });
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('secret');
    expect(JSON.stringify(got.body)).not.toContain(created.body.secret.slice(6, 20));
    expect(etag(got)).toBe(etag(created));
    const listed = await api.admin.webhooks.list({ query: {} });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    // Stored encrypted, not as given.
    const stored = await server.db.knex('webhooks').where({ id }).first();
    expect(stored.secret).not.toContain(created.body.secret.slice(6));

    const updated = await api.admin.webhooks.update({ params: { id }, headers: { 'if-match': etag(got) }, body: { enabled: false, event_types: ['session.revoked'] } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ enabled: false, event_types: ['session.revoked'] });
    expect(etag(updated)).not.toBe(etag(got));
    // The first writer won; the second, holding the old ETag, gets 412; no If-Match at all is 428.
    const stale = await api.admin.webhooks.update({ params: { id }, headers: { 'if-match': etag(got) }, body: { enabled: true } });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ code: 'precondition_failed' });
    const missing = await api.admin.webhooks.update({ params: { id }, headers: {}, body: { enabled: true } });
    expect(missing.status).toBe(428);
    expect((await api.admin.webhooks.delete({ params: { id }, headers: { 'if-match': etag(got) } })).status).toBe(412);
    expect((await api.admin.webhooks.delete({ params: { id }, headers: { 'if-match': etag(updated) } })).status).toBe(204);
    expect((await api.admin.webhooks.get({ params: { id } })).status).toBe(404);

    const events = await server.db.knex('audit_events').where({ subject_type: 'webhook', subject_id: id }).orderBy('occurred_at');
    expect(events.map((e) => [e.type, e.actor_type])).toEqual([
      ['webhook.created', 'client'],
      ['webhook.updated', 'client'],
      ['webhook.deleted', 'client'],
    ]);
    expect(JSON.stringify(events)).not.toContain('whsec_');
  });

  it('pages the list with a signed cursor', async () => {
    for (let i = 0; i < 3; i += 1) await api.admin.webhooks.create({ body: { url: `https://hooks.example.com/page/${i}`, event_types: ['user.created'] } });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.admin.webhooks.list({ query: { limit: 2, ...(cursor ? { cursor } : {}) } });
      expect(page.status).toBe(200);
      if (page.status !== 200) return;
      seen.push(...page.body.items.map((w) => w.url));
      cursor = page.body.next_cursor ?? undefined;
    } while (cursor);
    expect(seen.filter((url) => url.includes('/page/'))).toEqual(['https://hooks.example.com/page/0', 'https://hooks.example.com/page/1', 'https://hooks.example.com/page/2']);
    const forged = await api.admin.webhooks.list({ query: { cursor: 'eyJ4IjoxfQ.AAAA' } });
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ code: 'invalid_cursor' });
  });

  it('validation: unknown fields, bad URLs and unknown event types are 400', async () => {
    const cases = [
      { url: 'https://a.example.com', event_types: ['user.created'], secret: 'whsec_mine' },
      { url: 'ftp://a.example.com/x', event_types: ['user.created'] },
      { url: 'https://user:pass@a.example.com/x', event_types: ['user.created'] },
      { url: 'not a url', event_types: ['user.created'] },
      { url: 'https://a.example.com', event_types: ['user.exploded'] },
      { url: 'https://a.example.com', event_types: [] },
    ];
    for (const body of cases) {
      const response = await api.admin.webhooks.create({ body: body as never });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body).toMatchObject({ code: 'validation_failed' });
    }
    const empty = await api.admin.webhooks.update({ params: { id: '00000000-0000-4000-8000-000000000000' }, headers: { 'if-match': '"1"' }, body: {} });
    expect(empty.status).toBe(400);
    const badStatus = await api.admin.webhooks.listDeliveries({ params: { id: '00000000-0000-4000-8000-000000000000' }, query: { status: 'lost' as never } });
    expect(badStatus.status).toBe(400);
    expect((await api.admin.webhooks.get({ params: { id: 'not-a-uuid' } })).status).toBe(400);
  });

  it('401 without a token, 403 with too few scopes (including a PAT), 404 for a missing webhook', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const calls = (c: ApiClient) => [
      c.admin.webhooks.list({ query: {} }),
      c.admin.webhooks.get({ params: { id: missing } }),
      c.admin.webhooks.create({ body: { url: 'https://a.example.com', event_types: ['user.created'] } }),
      c.admin.webhooks.update({ params: { id: missing }, headers: { 'if-match': '"1"' }, body: { enabled: false } }),
      c.admin.webhooks.delete({ params: { id: missing }, headers: {} }),
      c.admin.webhooks.rotateSecret({ params: { id: missing } }),
      c.admin.webhooks.listDeliveries({ params: { id: missing }, query: {} }),
      c.admin.webhooks.replayDelivery({ params: { id: missing, deliveryId: missing } }),
      c.admin.webhooks.replayEvent({ params: { id: missing, eventId: '1' } }),
    ];
    for (const response of await Promise.all(calls(apiClient(server)))) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="latchkey"/);
    }
    expect((await Promise.all(calls(readOnly))).map((r) => r.status)).toEqual([200, 404, 403, 403, 403, 403, 404, 403, 403]);
    const pat = apiClient(server, (await personalToken(server, ['account'])).token);
    expect((await Promise.all(calls(pat))).map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403, 403, 403, 403]);
    expect((await Promise.all(calls(api))).map((r) => r.status)).toEqual([200, 404, 201, 404, 404, 404, 404, 404, 404]);
  });

  it('rotates the secret (shown once): deliveries carry both signatures during the grace period', async () => {
    const created = await api.admin.webhooks.create({ body: { url: receiver.url, event_types: ['user.updated'] } });
    if (created.status !== 201) throw new Error(`create: ${created.status}`);
    const rotated = await api.admin.webhooks.rotateSecret({ params: { id: created.body.id } });
    expect(rotated.status).toBe(200);
    if (rotated.status !== 200) return;
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect(Date.parse(rotated.body.previous_secret_expires_at!)).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const audit = await server.db.knex('audit_events').where({ subject_type: 'webhook', subject_id: created.body.id, type: 'webhook.secret_rotated' });
    expect(audit).toHaveLength(1);

    receiver.setSecret(created.body.secret);
    const before = receiver.received.length;
    await block(await server.createUser());
    await receiver.waitFor((r) => r.length > before);
    const delivery = receiver.received.at(-1)!;
    expect(delivery.verifyError).toBeUndefined();
    expect(String(delivery.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(new Webhook(rotated.body.secret).verify(delivery.body, delivery.headers as Record<string, string>)).toMatchObject({ type: 'user.updated' });
    await api.admin.webhooks.delete({ params: { id: created.body.id }, headers: {} });
  });

  it('lists deliveries (filters, cursor) and replays a delivery or an event with the same webhook-id', async () => {
    const created = await api.admin.webhooks.create({ body: { url: receiver.url, event_types: ['user.updated', 'session.revoked'] } });
    if (created.status !== 201) throw new Error(`create: ${created.status}`);
    const id = created.body.id;
    receiver.setSecret(created.body.secret);
    const before = receiver.received.length;
    const users = [await server.createUser(), await server.createUser(), await server.createUser()];
    for (const userId of users) await block(userId);
    await receiver.waitFor((r) => r.length >= before + 3);
    // The receiver answered; the worker records that right after.
    for (let i = 0; i < 100 && (await server.db.knex('webhook_deliveries').where({ webhook_id: id, status: 'delivered' })).length < 3; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
    }

    const all = await api.admin.webhooks.listDeliveries({ params: { id }, query: { status: 'delivered', event_type: 'user.updated', limit: 2 } });
    expect(all.status).toBe(200);
    if (all.status !== 200) return;
    expect(all.body.items).toHaveLength(2);
    expect(all.body.items[0]).toMatchObject({ webhook_id: id, event_type: 'user.updated', status: 'delivered', attempts: 1, last_status: 204, next_attempt_at: null });
    const rest = await api.admin.webhooks.listDeliveries({ params: { id }, query: { status: 'delivered', event_type: 'user.updated', limit: 2, cursor: all.body.next_cursor! } });
    expect(rest.status).toBe(200);
    if (rest.status !== 200) return;
    expect(rest.body.items).toHaveLength(1);
    expect(rest.body.next_cursor).toBeNull();
    // A cursor is bound to its filters.
    const otherFilter = await api.admin.webhooks.listDeliveries({ params: { id }, query: { status: 'failed', limit: 2, cursor: all.body.next_cursor! } });
    expect(otherFilter.status).toBe(400);
    const none = await api.admin.webhooks.listDeliveries({ params: { id }, query: { event_type: 'session.revoked' } });
    expect(none.body).toMatchObject({ items: [] });

    const first = all.body.items[0]!;
    const original = receiver.received.find((r) => r.headers['webhook-id'] === `evt_${first.event_id}`)!;
    const replayed = await api.admin.webhooks.replayDelivery({ params: { id, deliveryId: first.id } });
    expect(replayed.status).toBe(202);
    expect(replayed.body).toMatchObject({ id: first.id, status: 'pending', attempts: 0 });
    await receiver.waitFor((r) => r.filter((d) => d.headers['webhook-id'] === `evt_${first.event_id}`).length === 2);
    const again = receiver.received.filter((d) => d.headers['webhook-id'] === `evt_${first.event_id}`).at(-1)!;
    expect(again.verifyError).toBeUndefined();
    expect(again.body).toBe(original.body);

    // An event this webhook never got (created before it existed): replayed to it on request.
    const other = await api.admin.webhooks.create({ body: { url: receiver.url, event_types: ['sign_in.failed'] } });
    if (other.status !== 201) throw new Error(`create: ${other.status}`);
    const onEvent = await api.admin.webhooks.replayEvent({ params: { id: other.body.id, eventId: first.event_id } });
    expect(onEvent.status).toBe(202);
    expect(onEvent.body).toMatchObject({ webhook_id: other.body.id, event_id: first.event_id, status: 'pending' });
    expect((await api.admin.webhooks.replayEvent({ params: { id, eventId: '999999999' } })).status).toBe(404);
    expect((await api.admin.webhooks.replayDelivery({ params: { id: other.body.id, deliveryId: first.id } })).status).toBe(404);

    const audit = await server.db.knex('audit_events').where({ type: 'webhook.replayed' });
    expect(audit.length).toBeGreaterThanOrEqual(2);
  });

  it('409 when replaying a delivery that is still being tried', async () => {
    await receiver.down();
    try {
      const created = await api.admin.webhooks.create({ body: { url: receiver.url, event_types: ['user.updated'] } });
      if (created.status !== 201) throw new Error(`create: ${created.status}`);
      await block(await server.createUser());
      const pending = await api.admin.webhooks.listDeliveries({ params: { id: created.body.id }, query: { status: 'pending' } });
      if (pending.status !== 200) throw new Error(`list: ${pending.status}`);
      expect(pending.body.items).toHaveLength(1);
      const replayed = await api.admin.webhooks.replayDelivery({ params: { id: created.body.id, deliveryId: pending.body.items[0]!.id } });
      expect(replayed.status).toBe(409);
      expect(replayed.body).toMatchObject({ code: 'conflict' });
      await api.admin.webhooks.delete({ params: { id: created.body.id }, headers: {} });
    } finally {
      await receiver.up();
    }
  });
});

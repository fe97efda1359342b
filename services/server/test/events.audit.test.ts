import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/knex.ts';
import { recordAuditEvent } from '../src/events/audit.ts';
import { hashPassword } from '../src/password/hash.ts';
import { backends } from './support/backends.ts';
import { startFlow, type Flow } from './support/email-code-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

describe.each(backends)('recordAuditEvent on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(() => db?.close());

  it('writes who did what to whom, from where; clips oversized headers', async () => {
    const userId = randomUUID();
    await recordAuditEvent(db.knex, {
      type: 'password.changed',
      actorUserId: userId,
      subjectUserId: userId,
      clientId: 'client-1',
      ip: '203.0.113.5',
      userAgent: 'x'.repeat(5000),
      data: { method: 'pwd' },
    });
    const row = await db.knex('audit_events').where({ type: 'password.changed', actor_id: userId }).first();
    expect(row).toMatchObject({
      actor_type: 'user',
      subject_type: 'user',
      subject_id: userId,
      client_id: 'client-1',
      ip: '203.0.113.5',
      data: { method: 'pwd' },
    });
    expect(row.user_agent).toHaveLength(512);
    expect(row.occurred_at).toBeInstanceOf(Date);
  });

  it('records operator and system actors and non-user subjects', async () => {
    const uid = randomUUID();
    await recordAuditEvent(db.knex, { type: 'session.revoked', actorType: 'operator', subject: { type: 'session', id: uid } });
    expect(await db.knex('audit_events').where({ subject_id: uid }).first()).toMatchObject({
      actor_type: 'operator',
      actor_id: null,
      subject_type: 'session',
      data: {},
    });
  });

  it('is part of the caller\'s transaction: rolled back with it', async () => {
    const userId = randomUUID();
    await db.knex
      .transaction(async (trx) => {
        await recordAuditEvent(trx, { type: 'sign_up', subjectUserId: userId });
        throw new Error('abort');
      })
      .catch(() => {});
    expect(await db.knex('audit_events').where({ subject_id: userId }).first()).toBeUndefined();
  });

  it('cannot be rewritten: the table is append-only', async () => {
    await expect(db.knex('audit_events').update({ type: 'tampered' })).rejects.toThrow(/append-only/);
    await expect(db.knex('audit_events').delete()).rejects.toThrow(/append-only/);
  });
});

const servers: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];
const PASSWORD = 'a long and memorable passphrase';
let n = 0;
const address = (label: string) => `${label}-${process.pid}-${(n += 1)}@example.com`;

async function signIn(flow: Flow, email: string, password: string): Promise<Response> {
  const response = await fetch(new URL(`/interaction/${flow.uid}/password`, flow.server.url), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: flow.jar.header(), 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'AuditTest/1.0' },
    body: new URLSearchParams({ csrf: flow.csrf, email, password }).toString(),
  });
  flow.jar.store(response);
  return response;
}

describe.each(servers)('sign-in audit trail (%s)', (backend) => {
  let server: TestServer;
  let hash: string;
  beforeAll(async () => {
    [server, hash] = await Promise.all([startTestServer({ backend }), hashPassword(PASSWORD)]);
  }, 60_000);
  afterAll(() => server?.stop());
  const events = (type: string, subject?: string) =>
    server.db.knex('audit_events').where({ type }).modify((q) => (subject ? q.where({ subject_id: subject }) : q)).orderBy('occurred_at');

  it('a failure is recorded against the account, counted, and then reset by a success that sets last_login_at', async () => {
    const email = address('audited');
    const id = await server.createUser({ email, password_hash: hash });
    const flow = await startFlow(server);
    expect((await signIn(flow, email, 'wrong one')).status).toBe(401);
    expect((await signIn(flow, email, 'wrong two')).status).toBe(401);

    const failures = await events('sign_in.failure', id);
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ actor_type: 'system', subject_type: 'user', client_id: flow.uid ? expect.any(String) : null, user_agent: 'AuditTest/1.0' });
    expect(failures[0].data).toEqual({ method: 'pwd', reason: 'credentials', identifier: `${email.slice(0, 2)}***@example.com` });
    expect((await server.db.knex('users').where({ id }).first()).failed_sign_in_count).toBe(2);

    expect((await signIn(flow, email, PASSWORD)).status).toBe(303);
    const [success] = await events('sign_in.success', id);
    expect(success).toMatchObject({ actor_type: 'user', actor_id: id, subject_id: id, user_agent: 'AuditTest/1.0' });
    expect(success.ip).toMatch(/127\.0\.0\.1|::1/);
    const user = await server.db.knex('users').where({ id }).first();
    expect(user.failed_sign_in_count).toBe(0);
    expect(user.last_login_at).toBeInstanceOf(Date);
  });

  it('a failure for an address with no account is recorded without a subject and never stores the address in full', async () => {
    const email = address('nobody');
    expect((await signIn(await startFlow(server), email, 'whatever it is')).status).toBe(401);
    const rows = await server.db.knex('audit_events').where({ type: 'sign_in.failure' }).whereRaw(`data->>'identifier' = ?`, [`${email.slice(0, 2)}***@example.com`]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ subject_type: null, subject_id: null });
    expect(JSON.stringify(rows[0])).not.toContain(email);
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApiToken, startEmbeddedServer, type EmbeddedServer } from './support/embedded-server.ts';

/**
 * PGlite is one session. A client on the embedded server's socket (psql, a
 * script) that opens a transaction must not get the server's own writes
 * mixed into it — they would be rolled back with it after the server had
 * answered 201 — nor hold the server up forever.
 */
describe('socket clients and the embedded server take turns a transaction at a time', () => {
  let server: EmbeddedServer;
  let token: string;
  const clients: pg.Client[] = [];
  const connect = async () => {
    const c = new pg.Client({ host: server.dataDir, port: 5432, user: 'psql', database: 'latchkey' });
    c.on('error', () => {}); // asserted where expected
    await c.connect();
    clients.push(c);
    return c;
  };
  const api = (pathname: string, init: RequestInit = {}) =>
    fetch(`${server.issuer}/api/v1/admin${pathname}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  const emails = async (prefix: string) =>
    (((await (await api(`/users?email_prefix=${prefix}`)).json()) as { items: Array<{ email: string }> }).items ?? []).map((u) => u.email);

  beforeAll(async () => {
    server = await startEmbeddedServer();
    ({ token } = await adminApiToken(server, 'users:read users:write'));
  }, 90_000);
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => {});
    await server?.close();
  });

  it('a server write waits for an open socket transaction and survives its ROLLBACK', async () => {
    const psql = await connect();
    await psql.query('BEGIN');
    await psql.query('select count(*) from users');

    let answered = false;
    const created = api('/users', { method: 'POST', body: JSON.stringify({ email: 'bob@example.com' }) }).then((r) => {
      answered = true;
      return r;
    });
    await sleep(1000);
    expect(answered).toBe(false); // waiting for its turn, not running inside psql's transaction

    await psql.query('ROLLBACK');
    expect((await created).status).toBe(201);
    expect(await emails('bob')).toEqual(['bob@example.com']);
  }, 30_000);

  it('a client idle inside a transaction is cut off after a few seconds: its change is undone and the server carries on', async () => {
    const psql = await connect();
    const cutOff = new Promise<Error>((resolve) => psql.once('error', resolve));
    await psql.query('BEGIN');
    await psql.query('create table held_by_psql (x int)');

    const started = Date.now();
    const listed = await api('/users?email_prefix=bob');
    expect(listed.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await cutOff).message).toMatch(/idle in a transaction/);

    const other = await connect();
    expect((await other.query("select to_regclass('held_by_psql') as t")).rows).toEqual([{ t: null }]);
  }, 30_000);

  it('a client that vanishes mid-transaction leaves nothing behind and does not block the server', async () => {
    const script = await connect();
    await script.query('BEGIN');
    await script.query('create table left_open (x int)');
    (script as unknown as { connection: { stream: { destroy: () => void } } }).connection.stream.destroy();

    const started = Date.now();
    expect((await api('/users?email_prefix=bob')).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(4_000); // well before the idle cut-off
    const other = await connect();
    expect((await other.query("select to_regclass('left_open') as t")).rows).toEqual([{ t: null }]);
  }, 30_000);
});

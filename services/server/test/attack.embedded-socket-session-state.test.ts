import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApiToken, startEmbeddedServer, type EmbeddedServer } from './support/embedded-server.ts';

/**
 * Attack (laptop path): a psql session beside the embedded server leaves
 * session state behind between its transactions — a temporary table named
 * like one of ours shadows it (pg_temp comes first on the search path), so
 * the server's own queries would read and write psql's table while psql
 * stays connected. The session must come back to the server as clean as a
 * new connection after every socket transaction.
 */
describe('a socket client cannot leave session state that changes what the server reads', () => {
  let server: EmbeddedServer;
  let token: string;
  let psql: pg.Client | undefined;
  const api = (pathname: string, init: RequestInit = {}) =>
    fetch(`${server.issuer}/api/v1/admin${pathname}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });

  beforeAll(async () => {
    server = await startEmbeddedServer();
    ({ token } = await adminApiToken(server, 'users:read users:write'));
  }, 90_000);
  afterAll(async () => {
    await psql?.end().catch(() => {});
    await server?.close();
  });

  it('a temp table named users, created by a client that stays connected, does not shadow the real table', async () => {
    expect((await api('/users', { method: 'POST', body: JSON.stringify({ email: 'shadowed@example.com' }) })).status).toBe(201);

    psql = new pg.Client({ host: server.dataDir, port: 5432, user: 'psql', database: 'latchkey' });
    psql.on('error', () => {});
    await psql.connect();
    await psql.query('create temp table users (id int)'); // autocommit: its own transaction, then the turn goes back

    const listed = await api('/users?email_prefix=shadowed');
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { items: Array<{ email: string }> }).items.map((u) => u.email)).toEqual(['shadowed@example.com']);
    // psql still connected: the server did not merely see it after a disconnect.
    expect((await psql.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  }, 30_000);
});

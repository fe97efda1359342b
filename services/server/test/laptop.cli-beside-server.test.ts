import { spawnSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEntry } from './support/entry.ts';
import { adminApiToken, startEmbeddedServer, type EmbeddedServer } from './support/embedded-server.ts';
import { spawnServer } from './support/process.ts';
import { freePort } from './support/server.ts';

const hasPsql = spawnSync('psql', ['--version']).status === 0;

describe('the CLI beside a running embedded server', () => {
  let server: EmbeddedServer;
  beforeAll(async () => {
    server = await startEmbeddedServer();
  }, 90_000);
  afterAll(() => server?.close());

  it('./latchkey clients create and users create run while the server runs, and the server sees the rows at once', async () => {
    const { token, cliMs: clientMs } = await adminApiToken(server, 'users:read users:write');

    const user = await runEntry(['users', 'create', '--json', '--email', 'ada@example.com', '--name', 'Ada'], { LATCHKEY_DATA_DIR: server.dataDir });
    expect(user.stderr).toBe('');
    expect(user.code).toBe(0);
    const { user_id } = JSON.parse(user.stdout) as { user_id: string };

    // The server authenticated the CLI's new client (above) and now lists the CLI's new user: no restart, no cache.
    const listed = await fetch(`${server.issuer}/api/v1/admin/users?email_prefix=ada`, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { items: Array<{ id: string; email: string }> }).items).toEqual([expect.objectContaining({ id: user_id, email: 'ada@example.com' })]);

    const list = await runEntry(['clients', 'list', '--json'], { LATCHKEY_DATA_DIR: server.dataDir });
    expect(list.code).toBe(0);
    console.log(`CLI wall time beside the embedded server: clients create ${clientMs} ms, users create ${user.ms} ms, clients list ${list.ms} ms`);
    // No PGlite boots in the CLI (that alone takes seconds): only node's start and one socket connection.
    expect(Math.max(clientMs, user.ms, list.ms)).toBeLessThan(10_000);
  }, 60_000);

  it('the socket in the data dir is the owner\'s alone', async () => {
    const socket = await stat(path.join(server.dataDir, '.s.PGSQL.5432'));
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    expect((await stat(server.dataDir)).mode & 0o777).toBe(0o700);
  });

  it.skipIf(!hasPsql)('psql -h <data dir> reaches the same database', async () => {
    const psql = spawnSync('psql', ['-h', server.dataDir, '-U', 'latchkey', '-d', 'latchkey', '-At', '-c', 'select count(*) from clients where id = \'latchkey-account\''], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(psql.stderr).toBe('');
    expect(psql.stdout.trim()).toBe('1');
  });

  it('a second server on the same data dir is still refused', async () => {
    const port = await freePort();
    await expect(spawnServer({ PORT: String(port), LATCHKEY_DATA_DIR: server.dataDir })).rejects.toThrow(/in use by another Latchkey process/);
    // The first one is unharmed.
    expect((await fetch(`${server.issuer}/readyz`)).status).toBe(200);
  }, 60_000);
});

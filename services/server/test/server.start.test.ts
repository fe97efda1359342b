import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';
import { runCli, spawnServer } from './support/process.ts';
import { freePort } from './support/server.ts';

describe('latchkey start', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('on a bare laptop: embedded PGlite + in-process store, migrated on start, secrets kept in the data dir', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-embedded-'));
    dirs.push(dataDir);
    const port = await freePort();
    const server = await spawnServer({ PORT: String(port), LATCHKEY_DATA_DIR: dataDir, LATCHKEY_ISSUER: `http://localhost:${port}` });
    try {
      const ready = await fetch(`${server.url}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok', store: 'ok' } });
      const discovery = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as { issuer: string };
      expect(discovery.issuer).toBe(`http://localhost:${port}`);
      expect((await stat(path.join(dataDir, 'secrets'))).mode & 0o777).toBe(0o600);
      // The CLI works beside the running server, through it (its socket in the data dir) …
      const meanwhile = await runCli(['clients', 'list', '--json'], { LATCHKEY_DATA_DIR: dataDir });
      expect(meanwhile.stderr).toBe('');
      expect(JSON.parse(meanwhile.stdout).clients.map((c: { client_id: string }) => c.client_id)).toEqual(['latchkey-account']);
      // … but one server per embedded database: a second one is refused, not allowed to corrupt it.
      await expect(spawnServer({ PORT: String(await freePort()), LATCHKEY_DATA_DIR: dataDir })).rejects.toThrow(/in use by another Latchkey process/);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    await expect(stat(path.join(dataDir, '.s.PGSQL.5432'))).rejects.toThrow(/ENOENT/); // the server took its socket away
    const after = await runCli(['clients', 'list', '--json'], { LATCHKEY_DATA_DIR: dataDir });
    expect(after.stderr).toBe('');
    // The data survived the stop: the only client is the built-in account console's, added at start.
    expect(JSON.parse(after.stdout).clients.map((c: { client_id: string; built_in: boolean }) => [c.client_id, c.built_in])).toEqual([['latchkey-account', true]]);
  }, 90_000);

  it.skipIf(!realDatabaseUrl)('with DATABASE_URL: refuses to start while migrations are pending and names them; --migrate applies them', async () => {
    const db = await freshPostgres({ migrate: false });
    try {
      const port = await freePort();
      const env = { PORT: String(port), DATABASE_URL: db.url, LATCHKEY_SECRETS: 'x'.repeat(40) };
      await expect(spawnServer(env)).rejects.toThrow(/pending.*20261124000001_users.*migrate latest/s);
      const server = await spawnServer(env, ['--migrate']);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      await server.stop();
    } finally {
      await db.close();
    }
  }, 60_000);

  it('a bad environment value stops boot with a message naming it', async () => {
    await expect(spawnServer({ PORT: '99999' })).rejects.toThrow(/PORT/);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';
import { runCli } from './support/process.ts';

describe('operator commands and the schema', () => {
  it('on a new embedded data dir a command works before the server ever started (it migrates, as start does)', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-cli-'));
    try {
      const result = await runCli(['--json', 'clients', 'create', '--name', 'First', '--type', 'confidential', '--grant-type', 'client_credentials'], { LATCHKEY_DATA_DIR: dataDir });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(Object.keys(JSON.parse(result.stdout)).sort()).toEqual(['client_id', 'client_secret']);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it.skipIf(!realDatabaseUrl)('with DATABASE_URL and pending migrations a command is refused, naming them, with no SQL in sight', async () => {
    const db = await freshPostgres({ migrate: false });
    try {
      const result = await runCli(['clients', 'list'], { DATABASE_URL: db.url, LATCHKEY_SECRETS: 'x'.repeat(40) });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/pending.*20261124000001_users.*migrate latest/s);
      expect(result.stderr).not.toMatch(/select|relation|\n\s+at /i);
    } finally {
      await db.close();
    }
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/password/hash.ts';
import { createStore } from '../src/store/index.ts';
import { freshPostgres, realDatabaseUrl, realRedisUrl } from './support/backends.ts';
import { runCli } from './support/process.ts';

const PASSWORD = 'plum tree harbour lantern';

describe.skipIf(!realDatabaseUrl)('latchkey users create (Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let env: Record<string, string>;
  const secrets = randomBytes(32).toString('base64url');
  const cli = (args: string[], input?: string) => runCli(['users', 'create', ...args], env, input);
  const count = async () => Number(((await db.knex('users').count({ n: '*' }).first()) as { n: number }).n);

  beforeAll(async () => {
    db = await freshPostgres();
    env = { DATABASE_URL: db.url, LATCHKEY_SECRETS: secrets };
  });
  afterAll(() => db?.close());

  it('creates the first admin with a password read from stdin, and prints only {"user_id"}', async () => {
    const result = await cli(['--email', ' Admin@Example.com ', '--role', 'admin', '--name', 'Grace Hopper', '--password-stdin', '--json'], `${PASSWORD}\n`);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { user_id: string };
    expect(Object.keys(out)).toEqual(['user_id']);
    const row = await db.knex('users').where({ id: out.user_id }).first();
    expect(row).toMatchObject({ email: 'Admin@Example.com', role: 'admin', display_name: 'Grace Hopper', email_verified: true, status: 'active' });
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    // The trailing newline from stdin is not part of the password.
    expect(await verifyPassword(row.password_hash, PASSWORD)).toBe(true);
    const events = await db.knex('audit_events').where({ subject_id: out.user_id }).pluck('type');
    expect(events).toEqual(['sign_up']);
  });

  it('creates a user without a password (they sign in with emailed codes)', async () => {
    const result = await cli(['--email', 'codes-only@example.com', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const row = await db.knex('users').where({ id: JSON.parse(result.stdout).user_id }).first();
    expect(row).toMatchObject({ role: 'user', password_hash: null });
  });

  it('has no way to pass the password on the command line', async () => {
    const result = await cli(['--email', 'argv@example.com', '--password', PASSWORD]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown option '--password'/);
    expect(await db.knex('users').where({ email: 'argv@example.com' }).first()).toBeUndefined();
  });

  it.each([
    [['--email', 'not-an-address'], undefined, /--email must be an email address/],
    [['--email', 'short@example.com', '--password-stdin'], 'abc123', /at least 8 characters/],
    [['--email', 'common@example.com', '--password-stdin'], 'password1', /too common/],
    [['--email', 'me.myself@example.com', '--password-stdin'], 'me.myself', /too common/],
    [['--email', 'empty@example.com', '--password-stdin'], '', /at least 8 characters/],
    [['--email', 'role@example.com', '--role', 'root'], undefined, /--role must be one of user, admin/],
    [['--email', 'ADMIN@example.com'], undefined, /a user with email ADMIN@example.com already exists/],
  ])('refuses %j with one clear line, exit 2, and writes nothing', async (args, input, message) => {
    const before = await count();
    const result = await cli([...args, '--json'], input);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(result.stderr).error).toMatch(message);
    expect(await count()).toBe(before);
  });

  it.skipIf(!realRedisUrl)('announces user:created on Redis for running replicas', async () => {
    const store = await createStore({ redisUrl: realRedisUrl });
    const heard: string[] = [];
    const unsubscribe = await store.subscribe('user:created', (message) => heard.push(message));
    try {
      const result = await runCli(['users', 'create', '--email', 'announced@example.com', '--json'], { ...env, REDIS_URL: realRedisUrl! });
      expect(result.code, result.stderr).toBe(0);
      const { user_id } = JSON.parse(result.stdout) as { user_id: string };
      await expect.poll(() => heard.map((m) => JSON.parse(m).userId)).toContain(user_id);
    } finally {
      await unsubscribe();
      await store.close();
    }
  });

  it('prints a human line without --json', async () => {
    const result = await cli(['--email', 'human@example.com']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^created user [0-9a-f-]{36} \(human@example.com\)\n$/);
  });
});

describe('latchkey users create (embedded PGlite data dir)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-cli-users-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('works against the data dir once it is migrated', async () => {
    const env = { LATCHKEY_DATA_DIR: dataDir };
    expect((await runCli(['migrate', 'latest'], env)).code).toBe(0);
    const result = await runCli(['users', 'create', '--email', 'embedded@example.com', '--password-stdin', '--json'], env, PASSWORD);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).user_id).toMatch(/^[0-9a-f-]{36}$/);
    const again = await runCli(['users', 'create', '--email', 'EMBEDDED@example.com', '--json'], env);
    expect(again.code).toBe(2);
  }, 60_000);
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';
import { runCli } from './support/process.ts';

describe.skipIf(!realDatabaseUrl)('latchkey invitations create', () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let env: Record<string, string>;
  const secrets = randomBytes(32).toString('base64url');
  const keyring = new Keyring([secrets]);
  const cli = (...args: string[]) => runCli(['invitations', 'create', ...args], env);
  const row = (code: string) => db.knex('invitations').where({ code_hash: keyring.hash('invitation', code) }).first();

  beforeAll(async () => {
    db = await freshPostgres();
    env = { DATABASE_URL: db.url, LATCHKEY_SECRETS: secrets, LATCHKEY_ISSUER: 'https://id.example.com' };
  });
  afterAll(() => db?.close());

  it('prints {"code","url"} once; stores only the keyed hash, the scopes, the address and a 7-day expiry by default', async () => {
    const result = await cli('--email', 'Grace@Example.com', '--scopes', 'read:things beta', '--json');
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { code: string; url: string };
    expect(Object.keys(out).sort()).toEqual(['code', 'url']);
    expect(Buffer.from(out.code, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(out.url).toBe(`https://id.example.com/signup?invitation=${out.code}`);
    const stored = await row(out.code);
    expect(stored).toMatchObject({ email: 'Grace@Example.com', scopes: ['read:things', 'beta'], redeemed_at: null });
    const days = (new Date(stored.expires_at).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    expect(JSON.stringify(await db.knex('invitations').select('*'))).not.toContain(out.code);
  });

  it('honours --expires-in, and "never"', async () => {
    const hours = JSON.parse((await cli('--expires-in', '12h', '--json')).stdout) as { code: string };
    const left = (new Date((await row(hours.code)).expires_at).getTime() - Date.now()) / 3_600_000;
    expect(left).toBeGreaterThan(11.99);
    expect(left).toBeLessThanOrEqual(12);
    const never = JSON.parse((await cli('--expires-in', 'never', '--json')).stdout) as { code: string };
    expect((await row(never.code)).expires_at).toBeNull();
  });

  it('gives a different code every time', async () => {
    const a = JSON.parse((await cli('--json')).stdout).code;
    const b = JSON.parse((await cli('--json')).stdout).code;
    expect(a).not.toBe(b);
  });

  it.each([
    [['--email', 'nope'], /--email must be an email address/],
    [['--expires-in', 'tomorrow'], /--expires-in must look like/],
    [['--expires-in', '400d'], /at most 365d/],
    [['--expires-in', '0d'], /--expires-in/],
    [['--scopes', 'ok "quoted"'], /--scopes must be space-separated scope tokens/],
  ])('refuses %j with one line, exit 2, and writes nothing', async (args, message) => {
    const before = await db.knex('invitations').count({ n: '*' }).first();
    const result = await cli(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(await db.knex('invitations').count({ n: '*' }).first()).toEqual(before);
  });

  it('prints the code and link for a person without --json', async () => {
    const result = await cli('--expires-in', '30m');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^invitation code: [\w-]{43}\nsign-up link:    https:\/\/id\.example\.com\/signup\?invitation=[\w-]{43}\nexpires \d{4}-/);
  });
});

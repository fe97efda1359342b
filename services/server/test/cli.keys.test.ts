import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';

const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

type Run = { code: number | null; stdout: string; stderr: string };

describe.skipIf(!realDatabaseUrl)('latchkey keys (CLI on real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  beforeAll(async () => {
    db = await freshPostgres();
  });
  afterAll(async () => {
    await db?.close();
  });

  const run = (...args: string[]) =>
    new Promise<Run>((resolve, reject) => {
      const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', cli, ...args], {
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          DATABASE_URL: db.url,
          LATCHKEY_SECRETS: 'cli-keys-test-secret-0123456789abcdefghij',
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  const json = (result: Run) => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };

  // Each spawn pays Node's startup and type stripping; six of them on a busy CI box take a while.
  it('lists, rotates and lists again, each printing one JSON object', { timeout: 90_000 }, async () => {
    expect(json(await run('--json', 'keys', 'list'))).toEqual({ keys: [] });

    // No key signs yet, so the first rotation activates at once.
    const started = Date.now();
    const first = json(await run('--json', 'keys', 'rotate')) as { rotated: Array<{ kid: string; alg: string; activates_at: string }> };
    expect(first.rotated.map((r) => r.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const r of first.rotated) expect(Date.parse(r.activates_at)).toBeLessThanOrEqual(Date.now());

    // With active keys, the next ones wait out the propagation delay.
    const second = json(await run('--json', 'keys', 'rotate')) as typeof first;
    for (const r of second.rotated) expect(Date.parse(r.activates_at)).toBeGreaterThanOrEqual(started + 90_000);

    const listed = json(await run('--json', 'keys', 'list')) as { keys: Array<Record<string, unknown>> };
    expect(listed.keys).toHaveLength(4);
    expect(Object.keys(listed.keys[0]!).sort()).toEqual(['activates_at', 'alg', 'expires_at', 'kid', 'published', 'retired_at', 'status']);
    const status = Object.fromEntries(listed.keys.map((k) => [k.kid, k.status]));
    for (const r of first.rotated) expect(status[r.kid]).toBe('active');
    for (const r of second.rotated) expect(status[r.kid]).toBe('next');
    expect(JSON.stringify(listed)).not.toMatch(/"d"|private/);

    // rotate --now: the pending keys never sign; the new ones do, immediately.
    const third = json(await run('--json', 'keys', 'rotate', '--now')) as typeof first;
    const after = json(await run('--json', 'keys', 'list')) as typeof listed;
    const active = after.keys.filter((k) => k.status === 'active').map((k) => k.kid).sort();
    expect(active).toEqual(third.rotated.map((r) => r.kid).sort());
    const rows = await db.knex('signing_keys').select('kid', 'status');
    expect(rows.filter((r) => r.status === 'active').map((r) => r.kid).sort()).toEqual(active);
  });

  it('prints human text without --json', async () => {
    const result = await run('keys', 'list');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/RS256\s+(active|next|retired)/);
    expect(() => JSON.parse(result.stdout)).toThrow();
  });

  it('rejects an unknown flag with a clear error and a non-zero exit', async () => {
    const result = await run('--json', 'keys', 'rotate', '--bogus');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("unknown option '--bogus'");
  });
});

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../src/db/migrations/index.ts';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';

const names = migrations.map((m) => m.name);
const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

type Run = { code: number | null; stdout: string; stderr: string };

function latchkey(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', cli, ...args], {
      // Only what the CLI needs: no DATABASE_URL or secrets leak in from the test runner.
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** --json output: exactly one JSON object on one line, nothing else. */
function json(run: Run): unknown {
  expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout.endsWith('\n')).toBe(true);
  expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(run.stdout);
}

/** A failure: non-zero exit, nothing on stdout, one line on stderr, no stack trace. */
function expectOneLineError(run: Run): string {
  expect(run.code).not.toBe(0);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

describe.skipIf(!realDatabaseUrl)('latchkey migrate (CLI, real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await freshPostgres({ migrate: false });
    env = { DATABASE_URL: db.url };
  });
  afterAll(async () => {
    await db?.close();
  });

  it('status lists every migration as pending on a fresh database', async () => {
    expect(json(await latchkey(['--json', 'migrate', 'status'], env))).toEqual({ applied: [], pending: names, unknown: [] });
  });

  it('latest applies them all, then status shows none pending, and latest again applies nothing', async () => {
    expect(json(await latchkey(['--json', 'migrate', 'latest'], env))).toEqual({ applied: names });
    expect(json(await latchkey(['--json', 'migrate', 'status'], env))).toEqual({ applied: names, pending: [], unknown: [] });
    expect(json(await latchkey(['--json', 'migrate', 'latest'], env))).toEqual({ applied: [] });
    const { rows } = await db.knex.raw(`select count(*)::int as n from information_schema.tables where table_name = 'users'`);
    expect(rows[0].n).toBe(1);
  });

  it('rollback --all reverts everything, newest first', async () => {
    expect(json(await latchkey(['--json', 'migrate', 'rollback', '--all'], env))).toEqual({ rolled_back: [...names].reverse() });
    expect(json(await latchkey(['--json', 'migrate', 'status'], env))).toEqual({ applied: [], pending: names, unknown: [] });
  });

  it('prints readable text without --json', async () => {
    const run = await latchkey(['migrate', 'latest'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Applied ${names.length} migration(s)`);
    expect(run.stdout).toContain(names[0]);
    const status = await latchkey(['migrate', 'status'], env);
    expect(status.stdout).toContain(`applied   ${names.at(-1)}`);
  });

  it('an unknown subcommand is a one-line error with a non-zero exit', async () => {
    const line = expectOneLineError(await latchkey(['migrate', 'frobnicate'], env));
    expect(line).toContain("unknown command 'frobnicate'");
  });

  it('an unreachable database is a one-line error with a non-zero exit', async () => {
    const line = expectOneLineError(await latchkey(['migrate', 'status'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/latchkey' }));
    expect(line).toMatch(/^latchkey: cannot connect to the database: .*ECONNREFUSED/);
  });

  it('a database that does not exist is a one-line error, as JSON on stderr with --json', async () => {
    const url = new URL(db.url);
    url.pathname = '/latchkey_test_does_not_exist';
    const line = expectOneLineError(await latchkey(['--json', 'migrate', 'latest'], { DATABASE_URL: url.toString() }));
    expect(JSON.parse(line)).toEqual({
      error: 'cannot connect to the database: database "latchkey_test_does_not_exist" does not exist',
    });
  });

  it('a malformed DATABASE_URL names the variable, without a stack trace', async () => {
    const run = await latchkey(['migrate', 'status'], { DATABASE_URL: 'not a url' });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('DATABASE_URL');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

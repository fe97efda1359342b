import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshShellPath, runEntry } from './support/entry.ts';

describe('./latchkey in a fresh shell', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-entry-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('runs the CLI on the right Node without .tools on PATH, from any directory, printing nothing but the help', async () => {
    expect(freshShellPath).not.toContain('.tools');
    const result = await runEntry(['--help'], {}, { cwd: await tempDir() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: latchkey \[options\] \[command\]/);
    expect(result.stdout).toMatch(/clients\s+register and manage OAuth clients/);
  });

  it('--json prints one JSON object on stdout and nothing else (no setup chatter)', async () => {
    const result = await runEntry(['--json', 'clients', 'list'], { LATCHKEY_DATA_DIR: await tempDir() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith('\n')).toBe(true);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(result.stdout)).toEqual({ clients: [] });
  }, 60_000);

  it('with --json an operator mistake is one JSON error on stderr and exit 2, stdout stays empty', async () => {
    const result = await runEntry(['--json', 'clients', 'create', '--name', 'x', '--type', 'bogus'], { LATCHKEY_DATA_DIR: await tempDir() });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toEqual({ error: '--type must be "confidential" or "public"' });
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

it('src/generated/api.ts is what `pnpm generate` makes from openapi/latchkey.json (regenerate and commit on drift)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-browser-'));
  try {
    const out = path.join(dir, 'api.ts');
    await promisify(execFile)(path.join(root, 'node_modules/.bin/openapi-typescript'), ['../../openapi/latchkey.json', '-o', out], { cwd: root });
    const fresh = await readFile(out, 'utf8');
    expect(fresh).toContain('"/api/v1/me"');
    expect(await readFile(path.join(root, 'src/generated/api.ts'), 'utf8')).toBe(fresh);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

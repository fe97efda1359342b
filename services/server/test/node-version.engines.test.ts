import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (file: string) => readFile(path.join(root, file), 'utf8');

// The server runs its .ts files through Node's type stripping, unflagged only from 22.18:
// an older Node that `engines` or the bootstrap accepted would fail at the first import.
const TYPE_STRIPPING_UNFLAGGED = '22.18.0';
const atLeast = (version: string, min: string) => version.localeCompare(min, undefined, { numeric: true }) >= 0;

describe('the minimum Node version is one that runs .ts files unflagged', () => {
  it.each(['package.json', 'services/server/package.json'])('%s engines', async (file) => {
    const engines = (JSON.parse(await read(file)) as { engines: { node: string } }).engines.node;
    const min = /^>=\s*(\d+\.\d+(?:\.\d+)?)$/.exec(engines)?.[1];
    expect(min, engines).toBeDefined();
    expect(atLeast(min!.split('.').length === 2 ? `${min}.0` : min!, TYPE_STRIPPING_UNFLAGGED), engines).toBe(true);
  });

  it('scripts/bootstrap.sh installs a newer Node below the same minimum', async () => {
    const min = /min_node="([\d.]+)"/.exec(await read('scripts/bootstrap.sh'))?.[1];
    expect(min).toBeDefined();
    expect(atLeast(min!, TYPE_STRIPPING_UNFLAGGED), min).toBe(true);
  });
});

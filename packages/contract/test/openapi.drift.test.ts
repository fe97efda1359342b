import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { generateErrorDocs, generateOpenApi, serialize } from '../scripts/generate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const committed = readFileSync(path.join(root, 'openapi/latchkey.json'), 'utf8');

describe('openapi/latchkey.json', () => {
  it('equals a fresh generation from the contract (run `pnpm openapi` after changing the contract)', () => {
    expect(committed).toBe(serialize(generateOpenApi()));
  });

  it('docs/api-errors.md equals a fresh generation from the error catalogue', () => {
    expect(readFileSync(path.join(root, 'docs/api-errors.md'), 'utf8')).toBe(generateErrorDocs());
  });

  it('is valid OpenAPI 3.1 and lints clean with Redocly\'s recommended rules', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: committed, absoluteRef: path.join(root, 'openapi/latchkey.json'), config });
    const found = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`);
    expect(found).toEqual([]);
    expect(JSON.parse(committed).openapi).toBe('3.1.0');
  });

  it('lint catches a broken document (the check is live)', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const broken = JSON.parse(committed);
    Object.values(broken.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)[0]!.get!.responses['418'] = {
      $ref: '#/components/responses/Missing',
    };
    const problems = await lintFromString({ source: JSON.stringify(broken), absoluteRef: 'broken.json', config });
    expect(problems.some((p) => p.severity === 'error')).toBe(true);
  });
});

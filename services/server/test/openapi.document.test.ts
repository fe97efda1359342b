import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOpenApi, serialize } from '../../../packages/contract/scripts/generate.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const committedPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../openapi/latchkey.json');

describe('/api/openapi.json', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('serves the committed document, cacheable, and it equals a fresh generation from the contract', async () => {
    const response = await fetch(`${server.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const served = await response.text();
    expect(served).toBe(readFileSync(committedPath, 'utf8'));
    expect(served).toBe(serialize(generateOpenApi()));
  });

  it('every operation in the document is a route the server answers (401, not 404)', async () => {
    const document = JSON.parse(readFileSync(committedPath, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    for (const [template, item] of Object.entries(document.paths)) {
      for (const method of Object.keys(item)) {
        const url = template.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
        const response = await fetch(`${server.url}${url}`, { method: method.toUpperCase() });
        expect(response.status, `${method} ${template}`).toBe(401);
      }
    }
  });

  it('an unknown API path is a problem+json 404', async () => {
    const response = await fetch(`${server.url}/api/v1/nope`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ code: 'not_found' });
  });
});

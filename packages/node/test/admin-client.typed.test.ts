import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAdminApiTypes, outputPath } from '../scripts/generate.ts';
import { createAdminClient } from '../src/index.ts';
import { countingFetch, serviceClient, startLatchkey, type TestServer } from './support.ts';

/**
 * The admin client is typed from the committed OpenAPI document and calls
 * the real API with its own client-credentials token for `<issuer>/api`:
 * one token for many calls, a new one after a 401. Drift between the
 * document and the committed types fails here.
 */
describe('createAdminClient', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startLatchkey();
  });
  afterAll(() => server?.stop());

  it('src/generated/admin-api.ts is what `pnpm --filter @latchkey/node generate` makes from openapi/latchkey.json', async () => {
    expect(await readFile(outputPath, 'utf8')).toBe(await generateAdminApiTypes());
  });

  it('creates and reads a scope through typed calls, with one token for several calls', async () => {
    const { client_id, client_secret } = await serviceClient(server, ['scopes:read', 'scopes:write']);
    const counter = countingFetch();
    const admin = createAdminClient({ issuer: server.issuer, clientId: client_id, clientSecret: client_secret, scopes: ['scopes:read', 'scopes:write'], fetch: counter.fetch });
    const created = await admin.POST('/api/v1/admin/scopes', { body: { name: 'read:reports', description: 'Read your reports' } });
    expect(created.response.status, JSON.stringify(created.error)).toBe(201);
    const got = await admin.GET('/api/v1/admin/scopes/{name}', { params: { path: { name: 'read:reports' } } });
    // Typed: `data` has the schema's fields.
    expect(got.data?.description).toBe('Read your reports');
    const listed = await admin.GET('/api/v1/admin/scopes', { params: { query: { prefix: 'read:' } } });
    expect(listed.data?.items.map((s) => s.name)).toContain('read:reports');
    expect(counter.count('/token')).toBe(1);
  });

  it('a wrong secret is a clear refusal, not a silent anonymous call', async () => {
    const { client_id } = await serviceClient(server, ['scopes:read']);
    const admin = createAdminClient({ issuer: server.issuer, clientId: client_id, clientSecret: 'wrong', scopes: ['scopes:read'] });
    await expect(admin.GET('/api/v1/admin/scopes')).rejects.toThrow(/token request refused \(invalid_client/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, adminToken, okBody, type ApiClient } from './support/api.ts';
import { startDeployment, type Deployment } from './support/deployment.ts';
import { runCli } from './support/process.ts';
import { canUseRealServices } from './support/server.ts';

/**
 * Clients and API resources are cached in each replica (src/oidc/metadata-cache.ts).
 * A change made on one replica must reach every other within a second:
 * through the store's channel when it is made through a replica (admin
 * API), and through the cache's one-second lifetime when nothing announces
 * it (the CLI writes Postgres directly).
 */
describe.skipIf(!canUseRealServices)('metadata caches across replicas', () => {
  let deployment: Deployment;
  let admin: ApiClient;

  beforeAll(async () => {
    deployment = await startDeployment();
    const { token } = await adminToken(deployment.pages, ['clients:read', 'clients:write', 'resources:read', 'resources:write']);
    admin = apiClient(deployment.pages, token);
  }, 90_000);
  afterAll(() => deployment?.stop());

  const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;

  async function newClient(scope?: string) {
    const created = await admin.admin.clients.create({
      body: { name: unique('cached'), type: 'confidential', grant_types: ['client_credentials'], ...(scope ? { scope } : {}) },
    });
    expect(created.status).toBe(201);
    if (created.status !== 201) throw new Error('client not created');
    return { id: created.body.client_id, secret: created.body.client_secret! };
  }

  const tokenAt = (base: string, client: { id: string; secret: string }, extra: Record<string, string> = {}) =>
    fetch(`${base}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...extra }),
    });

  /** Milliseconds until `refused()` holds at the replica, polling every 20 ms; fails after 3 s. */
  async function msUntil(refused: () => Promise<boolean>): Promise<number> {
    const start = Date.now();
    while (Date.now() - start < 3000) {
      if (await refused()) return Date.now() - start;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the change never reached the replica');
  }

  /** Sends a few requests so the replica certainly has the entry cached before the change. */
  async function warm(base: string, client: { id: string; secret: string }, extra?: Record<string, string>) {
    for (let i = 0; i < 3; i++) expect((await tokenAt(base, client, extra)).status).toBe(200);
  }

  it('a client deleted through the admin API on one replica is refused by another within a second', async () => {
    const { b } = deployment;
    const client = await newClient();
    await warm(b.url, client);
    expect((await admin.admin.clients.delete({ params: { client_id: client.id } })).status).toBe(204);
    const ms = await msUntil(async () => (await tokenAt(b.url, client)).status === 401);
    expect(ms).toBeLessThan(1000);
  });

  it('a client deleted with the CLI on Redis is refused by another replica within a second (announced)', async () => {
    const { b, env } = deployment;
    const client = await newClient();
    await warm(b.url, client);
    const result = await runCli(['clients', 'delete', client.id], { ...env, PORT: '1' });
    expect(result.code, result.stderr).toBe(0);
    expect(await msUntil(async () => (await tokenAt(b.url, client)).status === 401)).toBeLessThan(1000);
  });

  it('a client deleted with the CLI (no channel) is refused by every replica within a second', async () => {
    const { a, b, env } = deployment;
    const client = await newClient();
    await Promise.all([warm(a.url, client), warm(b.url, client)]);
    // Without REDIS_URL the CLI has no channel to the replicas: only the cache's lifetime bounds the delay.
    const { REDIS_URL: _none, ...noChannel } = env;
    const result = await runCli(['clients', 'delete', client.id], { ...noChannel, PORT: '1' });
    expect(result.code, result.stderr).toBe(0);
    const [msA, msB] = await Promise.all([
      msUntil(async () => (await tokenAt(a.url, client)).status === 401),
      msUntil(async () => (await tokenAt(b.url, client)).status === 401),
    ]);
    expect(Math.max(msA, msB)).toBeLessThan(1000);
  });

  it('a rotated secret stops working on another replica within a second, and the new one works', async () => {
    const { b } = deployment;
    const client = await newClient();
    await warm(b.url, client);
    const rotated = await admin.admin.clients.rotateSecret({ params: { client_id: client.id } });
    expect(rotated.status).toBe(200);
    const fresh = { id: client.id, secret: okBody(rotated).client_secret! };
    const ms = await msUntil(async () => (await tokenAt(b.url, client)).status === 401);
    expect(ms).toBeLessThan(1000);
    expect((await tokenAt(b.url, fresh)).status).toBe(200);
  });

  it('a deleted API resource gets invalid_target from another replica within a second', async () => {
    const { b } = deployment;
    const identifier = `https://${unique('api')}.example.com`;
    const created = await admin.admin.resources.create({ body: { identifier, scopes: ['read'] } });
    expect(created.status).toBe(201);
    if (created.status !== 201) throw new Error('resource not created');
    const client = await newClient('read');
    await warm(b.url, client, { resource: identifier, scope: 'read' });
    expect((await admin.admin.resources.delete({ params: { id: created.body.id } })).status).toBe(204);
    const ms = await msUntil(async () => {
      const answer = await tokenAt(b.url, client, { resource: identifier, scope: 'read' });
      return answer.status === 400 && ((await answer.json()) as { error?: string }).error === 'invalid_target';
    });
    expect(ms).toBeLessThan(1000);
  });
});

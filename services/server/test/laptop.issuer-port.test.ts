import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as client from 'openid-client';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';
import { spawnServer } from './support/process.ts';
import { freePort } from './support/server.ts';

describe('the issuer follows PORT', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('PORT alone (no LATCHKEY_ISSUER): an OIDC client discovering http://localhost:$PORT accepts the issuer and its endpoints', async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-port-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    // Any backend will do; real Postgres boots faster than a fresh embedded database.
    const pg = realDatabaseUrl ? await freshPostgres({ migrate: false }) : undefined;
    if (pg) cleanup.push(() => pg.close());
    const server = await spawnServer({ PORT: String(port), LATCHKEY_DATA_DIR: dataDir, ...(pg ? { DATABASE_URL: pg.url } : {}) }, pg ? ['--migrate'] : []);
    cleanup.push(() => server.stop());

    const issuer = `http://localhost:${port}`;
    // openid-client refuses metadata whose issuer is not the URL it discovered.
    const config = await client.discovery(new URL(issuer), 'any-client', undefined, undefined, { execute: [client.allowInsecureRequests] });
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(issuer);
    for (const endpoint of [metadata.authorization_endpoint, metadata.token_endpoint, metadata.jwks_uri]) expect(endpoint).toMatch(new RegExp(`^${issuer}/`));
    expect((await fetch(metadata.jwks_uri!)).status).toBe(200);
  }, 90_000);
});

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { Adapter } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import type { Db } from '../src/db/knex.ts';
import { createAdapter, type AdapterClass } from '../src/oidc/adapter.ts';
import { applyInternals } from '../src/oidc/internals.ts';
import { METADATA_TTL_MS, metadataCache } from '../src/oidc/metadata-cache.ts';
import { findClientMetadata } from '../src/db/oidc-clients.ts';
import { createLimiter } from '../src/ratelimit/limiter.ts';
import { createStore, type Store } from '../src/store/index.ts';
import { backends } from './support/backends.ts';
import { accessTokenPayload, randomId } from './support/oidc-payloads.ts';
import { testProvider } from './support/test-provider.ts';

describe.each(backends)('adapter Client model on $name', (backend) => {
  let db: Db;
  let Adapter: AdapterClass;
  const keyring = new Keyring(['test-secret-one']);
  let provider: Provider;
  let server: Server;
  let baseUrl: string;
  let store: Store;
  let clients: ReturnType<typeof metadataCache<Record<string, unknown>>>;
  const adapter = (model = 'Client'): Adapter => new Adapter(model);

  beforeAll(async () => {
    db = await backend.open();
    // One cache for the adapter and the provider's Client lookup, as the server wires them.
    clients = metadataCache((id: string) => findClientMetadata(db.knex, id));
    Adapter = createAdapter(db, keyring, { clients });
    provider = testProvider(Adapter, {
      extraClientMetadata: { properties: ['first_party'] },
      features: { registration: { enabled: true }, clientCredentials: { enabled: true } },
    });
    store = await createStore({ redisUrl: undefined });
    applyInternals(provider, { keyring, store, knex: db.knex, limiter: createLimiter({ store, namespace: randomBytes(8).toString('hex') }), clients });
    server = createServer(provider.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.close();
    await store?.close();
    await db?.close();
  });

  it('maps a clients row to client metadata oidc-provider accepts', async () => {
    const id = `web-${randomId(6)}`;
    const secretHash = keyring.hash('client-secret', 'plain-secret');
    await db.knex('clients').insert({
      id,
      name: 'Web App',
      secret_hash: secretHash,
      redirect_uris: ['https://app.example.test/cb'],
      post_logout_redirect_uris: ['https://app.example.test/bye'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid offline_access',
      token_endpoint_auth_method: 'client_secret_post',
      first_party: true,
      metadata: { logo_uri: 'https://app.example.test/logo.png', contacts: ['ops@example.test'] },
    });

    expect(await adapter().find(id)).toEqual({
      client_id: id,
      client_name: 'Web App',
      client_secret: secretHash,
      redirect_uris: ['https://app.example.test/cb'],
      post_logout_redirect_uris: ['https://app.example.test/bye'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid offline_access',
      token_endpoint_auth_method: 'client_secret_post',
      first_party: true,
      logo_uri: 'https://app.example.test/logo.png',
      contacts: ['ops@example.test'],
      api_scopes: [],
    });

    const client = await provider.Client.find(id);
    expect(client).toMatchObject({
      clientId: id,
      clientName: 'Web App',
      clientSecret: secretHash,
      redirectUris: ['https://app.example.test/cb'],
      grantTypes: ['authorization_code', 'refresh_token'],
      tokenEndpointAuthMethod: 'client_secret_post',
      logoUri: 'https://app.example.test/logo.png',
      first_party: true,
    });
  });

  it('one Client per cached row: the same until the client changes, then one built from the new metadata', async () => {
    const id = `reuse-${randomId(6)}`;
    await db.knex('clients').insert({ id, name: 'Before', redirect_uris: ['https://app.example.test/cb'], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' });
    const first = await provider.Client.find(id);
    expect(first?.clientName).toBe('Before');
    expect(await provider.Client.find(id)).toBe(first);

    // A change through the adapter drops the cached row (as on every replica, over pub/sub).
    await adapter().upsert(id, { ...(await adapter().find(id)), client_name: 'After', redirect_uris: ['https://app.example.test/new'] });
    const changed = await provider.Client.find(id);
    expect(changed).not.toBe(first);
    expect(changed).toMatchObject({ clientName: 'After', redirectUris: ['https://app.example.test/new'] });

    // A change the cache was not told of is seen once the row expires, and a deleted client is gone.
    await db.knex('clients').where({ id }).update({ name: 'Direct' });
    await new Promise((resolve) => setTimeout(resolve, METADATA_TTL_MS + 50));
    expect((await provider.Client.find(id))?.clientName).toBe('Direct');
    await adapter().destroy(id);
    expect(await provider.Client.find(id)).toBeUndefined();
  });

  it('a public client has no client_secret and an empty scope is left out', async () => {
    const id = `spa-${randomId(6)}`;
    await db.knex('clients').insert({
      id,
      name: `SPA ${id}`,
      redirect_uris: ['http://localhost:5173/cb'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    const metadata = await adapter().find(id);
    expect(metadata).not.toHaveProperty('client_secret');
    expect(metadata).not.toHaveProperty('scope');
    expect((await provider.Client.find(id))?.tokenEndpointAuthMethod).toBe('none');
    expect(await adapter().find('no-such-client')).toBeUndefined();
  });

  it('upsert stores the secret hashed, columns typed, the rest in metadata, and never first_party', async () => {
    const id = `dyn-${randomId(6)}`;
    const secret = randomId();
    await adapter().upsert(id, {
      client_id: id,
      client_name: `Registered ${id}`,
      client_secret: secret,
      client_secret_expires_at: 0,
      client_id_issued_at: 1_700_000_000,
      redirect_uris: ['https://rp.example.test/cb'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
      first_party: true,
    });
    const row = await db.knex('clients').where({ id }).first();
    expect(row).toMatchObject({
      name: `Registered ${id}`,
      redirect_uris: ['https://rp.example.test/cb'],
      post_logout_redirect_uris: [],
      grant_types: ['authorization_code'],
      scope: '',
      token_endpoint_auth_method: 'client_secret_basic',
      first_party: false,
      metadata: { client_secret_expires_at: 0, client_id_issued_at: 1_700_000_000, id_token_signed_response_alg: 'RS256' },
    });
    expect(keyring.verify('client-secret', secret, row.secret_hash)).toBe(true);
    expect(JSON.stringify(row)).not.toContain(secret);

    // oidc-provider's update hands back the current client_secret, i.e. our hash: it must stay as is.
    await adapter().upsert(id, { ...(await adapter().find(id)), redirect_uris: ['https://rp.example.test/cb2'] });
    const updated = await db.knex('clients').where({ id }).first();
    expect(updated.secret_hash).toBe(row.secret_hash);
    expect(updated.redirect_uris).toEqual(['https://rp.example.test/cb2']);
    expect(updated.first_party).toBe(false);

    // A new plaintext secret replaces it.
    const rotated = randomId();
    await adapter().upsert(id, { ...(await adapter().find(id)), client_secret: rotated });
    expect(keyring.verify('client-secret', rotated, (await db.knex('clients').where({ id }).first()).secret_hash)).toBe(true);
  });

  it('a registered client_name already taken gets the client_id appended', async () => {
    const name = `Popular ${randomId(4)}`;
    const payload = () => ({ client_name: name, redirect_uris: ['https://rp.example.test/cb'], token_endpoint_auth_method: 'none' as const });
    await adapter().upsert('first-one', payload());
    await adapter().upsert('second-one', payload());
    expect((await adapter().find('first-one'))?.client_name).toBe(name);
    expect((await adapter().find('second-one'))?.client_name).toBe(`${name} (second-one)`);
  });

  it('destroy deletes the client and, through the foreign key, what it holds', async () => {
    const id = `gone-${randomId(6)}`;
    await adapter().upsert(id, { client_name: id, redirect_uris: [], grant_types: ['client_credentials'], response_types: [], token_endpoint_auth_method: 'none' });
    const token = accessTokenPayload({ clientId: id });
    await adapter('AccessToken').upsert(token.jti, token, 3600);
    await adapter().destroy(id);
    expect(await adapter().find(id)).toBeUndefined();
    expect(await db.knex('access_tokens').where({ id: token.jti }).first()).toBeUndefined();
  });

  it('dynamic registration end to end: the plaintext secret is returned once, stored hashed, and authenticates', async () => {
    const registered = await fetch(`${baseUrl}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: `Machine ${randomId(4)}`,
        redirect_uris: [],
        response_types: [],
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_basic',
      }),
    });
    expect(registered.status).toBe(201);
    const body = (await registered.json()) as { client_id: string; client_secret: string };
    const row = await db.knex('clients').where({ id: body.client_id }).first();
    expect(row.secret_hash).not.toBe(body.client_secret);
    expect(keyring.verify('client-secret', body.client_secret, row.secret_hash)).toBe(true);

    const token = (secret: string) =>
      fetch(`${baseUrl}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${body.client_id}:${secret}`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      });
    expect((await token(body.client_secret)).status).toBe(200);
    expect((await token(row.secret_hash)).status).toBe(401);
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';
import { runCli } from './support/process.ts';
import { startTestServer } from './support/server.ts';

describe.skipIf(!realDatabaseUrl)('latchkey clients / resources / scopes', () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let env: Record<string, string>;
  const secrets = randomBytes(32).toString('base64url');
  const cli = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    db = await freshPostgres();
    env = { DATABASE_URL: db.url, LATCHKEY_SECRETS: secrets };
  });
  afterAll(() => db?.close());

  it('creates a confidential client, prints the secret once as JSON, stores only its hash', async () => {
    const result = await cli('clients', 'create', '--name', 'Billing', '--type', 'confidential', '--redirect-uri', 'https://billing.example.com/cb', '--grant-type', 'authorization_code', '--grant-type', 'client_credentials', '--json');
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { client_id: string; client_secret: string };
    expect(Object.keys(out).sort()).toEqual(['client_id', 'client_secret']);
    expect(out.client_secret.length).toBeGreaterThanOrEqual(43); // 256 bits
    const row = await db.knex('clients').where({ id: out.client_id }).first();
    expect(JSON.stringify(row)).not.toContain(out.client_secret);
    expect(new Keyring([secrets]).verify('client-secret', out.client_secret, row.secret_hash)).toBe(true);
    expect(row.grant_types).toEqual(['authorization_code', 'client_credentials']);
  });

  it('creates a public native client with a private-use scheme and no secret', async () => {
    const result = await cli('--json', 'clients', 'create', '--name', 'Mobile', '--type', 'public', '--redirect-uri', 'com.example.app:/callback');
    expect(result.code, result.stderr).toBe(0);
    expect(Object.keys(JSON.parse(result.stdout))).toEqual(['client_id']);
  });

  it('lists clients without secrets, and deletes by name', async () => {
    await cli('clients', 'create', '--name', 'Temp', '--type', 'public', '--redirect-uri', 'http://localhost:5173/cb');
    const list = JSON.parse((await cli('clients', 'list', '--json')).stdout) as { clients: Array<Record<string, unknown>> };
    expect(list.clients.map((c) => c.name)).toEqual(expect.arrayContaining(['Temp', 'Billing']));
    expect(JSON.stringify(list)).not.toMatch(/secret/);
    const deleted = await cli('clients', 'delete', 'Temp', '--json');
    expect(deleted.code).toBe(0);
    expect(await db.knex('clients').where({ name: 'Temp' }).first()).toBeUndefined();
  });

  it.each([
    [['--type', 'confidential', '--redirect-uri', 'http://app.example.com/cb'], /must use https/],
    [['--type', 'confidential', '--redirect-uri', 'https://app.example.com/cb#frag'], /fragment/],
    [['--type', 'confidential', '--redirect-uri', 'com.example.app:/cb'], /custom schemes are only for public native clients/],
    [['--type', 'public', '--redirect-uri', 'myapp:/cb'], /reverse-DNS/],
    [['--type', 'public', '--grant-type', 'client_credentials'], /public client cannot use client_credentials/],
    [['--type', 'confidential'], /needs at least one --redirect-uri/],
    [['--type', 'secretive', '--redirect-uri', 'https://a.example/cb'], /--type must be/],
    [['--type', 'public', '--redirect-uri', 'https://a.example/cb', '--grant-type', 'password'], /unknown --grant-type "password"/],
  ])('refuses bad input %j with a one-line message and writes nothing', async (args, message) => {
    const before = await db.knex('clients').count({ n: '*' }).first();
    const result = await cli('clients', 'create', '--name', `bad-${randomBytes(4).toString('hex')}`, ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
    expect(await db.knex('clients').count({ n: '*' }).first()).toEqual(before);
  });

  it('refuses a duplicate name', async () => {
    const result = await cli('clients', 'create', '--name', 'Billing', '--type', 'public', '--redirect-uri', 'https://a.example/cb');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/already exists/);
  });

  it('registers an API resource and a scope description', async () => {
    const api = await cli('resources', 'create', '--identifier', 'https://api.example.com', '--scope', 'read:things write:things', '--token-ttl', '900', '--json');
    expect(api.code, api.stderr).toBe(0);
    expect(JSON.parse(api.stdout)).toMatchObject({ identifier: 'https://api.example.com', scopes: ['read:things', 'write:things'], token_ttl: 900 });
    const bad = await cli('resources', 'create', '--identifier', 'not a url');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--identifier must be an absolute URL/);
    const ttl = await cli('resources', 'create', '--identifier', 'https://api2.example.com', '--token-ttl', '999999');
    expect(ttl.stderr).toMatch(/--token-ttl/);
    // --signals: the introspection client may get a token for the ssf scope (Shared Signals), and nothing else; without it, no grant at all.
    const withSignals = JSON.parse((await cli('resources', 'create', '--identifier', 'https://signals.example.com', '--signals', '--json')).stdout) as { introspection_client_id: string };
    expect(await db.knex('clients').where({ id: withSignals.introspection_client_id }).first('grant_types', 'scope')).toEqual({ grant_types: ['client_credentials'], scope: 'ssf' });
    const plain = JSON.parse(api.stdout) as { introspection_client_id: string };
    expect(await db.knex('clients').where({ id: plain.introspection_client_id }).first('grant_types', 'scope')).toEqual({ grant_types: [], scope: '' });
    const scope = await cli('scopes', 'create', 'read:things', '--description', 'Read your things', '--json');
    expect(JSON.parse(scope.stdout)).toEqual({ scope: 'read:things', description: 'Read your things' });
  });

  it('lists the account console\'s client as built-in and refuses to delete it, by id or by name', async () => {
    // A server on this database adds the console's row (it does at start; a console sign-in makes sure).
    const server = await startTestServer({ databaseUrl: db.url, secrets });
    try {
      expect((await fetch(`${server.url}/account/login`, { redirect: 'manual' })).status).toBe(303);
    } finally {
      await server.stop();
    }
    const listed = await cli('clients', 'list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const clients = (JSON.parse(listed.stdout) as { clients: Array<{ client_id: string; name: string; built_in: boolean }> }).clients;
    const consoleClient = clients.find((c) => c.client_id === 'latchkey-account');
    expect(consoleClient).toMatchObject({ built_in: true, introspects_resource_id: null });
    expect(clients.filter((c) => c.built_in)).toHaveLength(1);
    expect((await cli('clients', 'list')).stdout).toMatch(/latchkey-account .*\(built-in\)/);

    for (const target of ['latchkey-account', consoleClient!.name]) {
      const refused = await cli('clients', 'delete', target, '--json');
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/latchkey-account is the account console's built-in client and cannot be deleted/);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stdout).toBe('');
    }
    expect(await db.knex('clients').where({ id: 'latchkey-account' }).first()).toBeDefined();
  });

  it('lists an API\'s introspection client with its API and refuses to delete it (it goes with the API)', async () => {
    const created = await cli('resources', 'create', '--identifier', 'https://introspected.example.com', '--json');
    expect(created.code, created.stderr).toBe(0);
    const { id, introspection_client_id } = JSON.parse(created.stdout) as { id: string; introspection_client_id: string };
    const clients = (JSON.parse((await cli('clients', 'list', '--json')).stdout) as { clients: Array<Record<string, unknown>> }).clients;
    expect(clients.find((c) => c.client_id === introspection_client_id)).toMatchObject({ built_in: false, introspects_resource_id: id, grant_types: [] });
    const refused = await cli('clients', 'delete', introspection_client_id);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/introspection client of an API resource: it is deleted with its API resource/);
    expect(await db.knex('clients').where({ id: introspection_client_id }).first()).toBeDefined();
  });

  it('updates a client: sets, changes and removes its back-channel logout URI; flags left out change nothing', async () => {
    const created = await cli('clients', 'create', '--name', 'Portal', '--type', 'confidential', '--redirect-uri', 'https://portal.example.com/cb', '--backchannel-logout-uri', 'https://portal.example.com/bcl', '--json');
    expect(created.code, created.stderr).toBe(0);
    const { client_id } = JSON.parse(created.stdout) as { client_id: string };
    const metadata = async () => ((await db.knex('clients').where({ id: client_id }).first('metadata')) as { metadata: Record<string, unknown> }).metadata;

    // A private address is the operator's call; the sid setting changes with it.
    const changed = await cli('clients', 'update', client_id, '--backchannel-logout-uri', 'http://localhost:8080/bcl', '--no-backchannel-logout-session-required', '--json');
    expect(changed.code, changed.stderr).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({ client_id, name: 'Portal', backchannel_logout_uri: 'http://localhost:8080/bcl', backchannel_logout_session_required: false });
    expect(await metadata()).toMatchObject({ backchannel_logout_uri: 'http://localhost:8080/bcl', operator_backchannel_logout_uri: 'http://localhost:8080/bcl', backchannel_logout_session_required: false });

    const renamed = await cli('clients', 'update', client_id, '--name', 'Portal 2', '--scope', 'openid email');
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout).toMatch(/updated client .*\(Portal 2\)\nback-channel logout: http:\/\/localhost:8080\/bcl/);
    expect(await db.knex('clients').where({ id: client_id }).first('name', 'scope', 'redirect_uris')).toEqual({ name: 'Portal 2', scope: 'openid email', redirect_uris: ['https://portal.example.com/cb'] });
    expect(await metadata()).toMatchObject({ backchannel_logout_uri: 'http://localhost:8080/bcl', backchannel_logout_session_required: false });

    const refused = await cli('clients', 'update', client_id, '--backchannel-logout-uri', 'http://portal.example.com/bcl');
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toMatch(/--backchannel-logout-uri must use https \(http is allowed only for localhost, 127.0.0.1 or \[::1\]\)$/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);

    const removed = await cli('clients', 'update', client_id, '--no-backchannel-logout-uri', '--json');
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ backchannel_logout_uri: null });
    expect(await metadata()).not.toHaveProperty('backchannel_logout_uri');
    expect(await metadata()).not.toHaveProperty('operator_backchannel_logout_uri');

    const events = await db.knex('audit_events').where({ type: 'client.updated', subject_id: client_id }).orderBy('occurred_at').select('actor_type', 'data');
    expect(events.map((e) => [e.actor_type, (e.data as { changed: string[] }).changed])).toEqual([
      ['operator', ['backchannel_logout_session_required', 'backchannel_logout_uri']],
      ['operator', ['name', 'scope']],
      ['operator', ['backchannel_logout_uri']],
    ]);
  });

  it('updates a client whose id starts with "-", and names an unknown id', async () => {
    const created = JSON.parse((await cli('clients', 'create', '--name', 'Dashed', '--type', 'public', '--redirect-uri', 'http://localhost:5173/cb', '--json')).stdout) as { client_id: string };
    const dashed = `-${created.client_id}`;
    await db.knex('clients').where({ id: created.client_id }).update({ id: dashed });
    const updated = await cli('clients', 'update', dashed, '--first-party', '--json');
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ client_id: dashed, first_party: true });
    const missing = await cli('clients', 'update', 'no-such-client', '--name', 'x');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no client with id or name "no-such-client"/);
  });

  it('reports a bad environment value by name, with no stack trace', async () => {
    const result = await runCli(['clients', 'list'], { DATABASE_URL: 'mysql://nope', LATCHKEY_SECRETS: secrets });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/DATABASE_URL must be a PostgreSQL URL/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

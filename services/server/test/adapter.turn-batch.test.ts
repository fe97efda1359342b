import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import type { Db } from '../src/db/knex.ts';
import { createAdapter, type AdapterClass } from '../src/oidc/adapter.ts';
import { backends } from './support/backends.ts';
import { accessTokenPayload, epoch, insertClient, randomId } from './support/oidc-payloads.ts';

const credentials = (clientId: string, scope = 'api:read') => ({ iat: epoch(), exp: epoch() + 600, jti: randomId(), kind: 'ClientCredentials', clientId, scope, extra: {} });

describe.each(backends)('adapter: saves and lookups made together share one statement, on $name', (backend) => {
  let db: Db;
  let Adapter: AdapterClass;
  let clientId: string;
  let statements: string[] = [];

  beforeAll(async () => {
    db = await backend.open();
    Adapter = createAdapter(db, new Keyring(['test-secret-one']));
    clientId = await insertClient(db.knex);
    db.knex.on('query', (query: { sql: string }) => statements.push(query.sql));
  });
  beforeEach(() => {
    statements = [];
  });
  afterAll(async () => {
    await db?.close();
  });

  const ofTable = (verb: string, table: string) => statements.filter((sql) => sql.startsWith(verb) && sql.includes(table));

  it('twenty tokens saved in one turn are one INSERT, and each is stored as given', async () => {
    const adapter = new Adapter('ClientCredentials');
    const payloads = Array.from({ length: 20 }, (_, i) => credentials(clientId, `scope-${i}`));
    await Promise.all(payloads.map((p) => adapter.upsert(p.jti, p, 600)));

    expect(ofTable('insert', 'client_credentials')).toHaveLength(1);
    const rows = await db.knex('client_credentials').whereIn('id', payloads.map((p) => p.jti)).select('id', 'scope', 'client_id');
    expect(new Map(rows.map((r) => [r.id, r.scope]))).toEqual(new Map(payloads.map((p) => [p.jti, p.scope])));
    expect(rows.every((r) => r.client_id === clientId)).toBe(true);
  });

  it('lookups in one turn are one SELECT; each caller gets its own row, or nothing for a missing or revoked one', async () => {
    const adapter = new Adapter('AccessToken');
    const live = Array.from({ length: 5 }, () => accessTokenPayload({ clientId }));
    const revoked = accessTokenPayload({ clientId });
    for (const p of [...live, revoked]) await adapter.upsert(p.jti!, p, 600);
    await db.knex('access_tokens').where({ id: revoked.jti }).update({ revoked_at: db.knex.fn.now() });
    statements = [];

    const found = await Promise.all([...live.map((p) => adapter.find(p.jti!)), adapter.find(revoked.jti!), adapter.find(randomId())]);

    expect(ofTable('select', 'access_tokens')).toHaveLength(1);
    expect(found).toEqual([...live, undefined, undefined]);
  });

  it("lookups of one value in several models in one turn (introspection's) are one SELECT, each answered from its own table", async () => {
    const [access, clientCredentials, refresh] = ['AccessToken', 'ClientCredentials', 'RefreshToken'].map((name) => new Adapter(name));
    const token = credentials(clientId);
    const inAccessTokens = accessTokenPayload({ clientId });
    await clientCredentials!.upsert(token.jti, token, 600);
    await access!.upsert(inAccessTokens.jti!, inAccessTokens, 600);
    statements = [];

    // What oidc-provider does for a token without token_type_hint, for two tokens at once.
    const found = await Promise.all([token.jti, inAccessTokens.jti!].flatMap((id) => [access!.find(id), clientCredentials!.find(id), refresh!.find(id)]));

    expect(statements.filter((sql) => sql.startsWith('select'))).toHaveLength(1);
    expect(found).toEqual([undefined, token, undefined, inAccessTokens, undefined, undefined]);
  });

  it('one id saved twice in one turn: both saves land in order, the later payload wins', async () => {
    const adapter = new Adapter('ClientCredentials');
    const first = credentials(clientId, 'first');
    const second = { ...first, scope: 'second' };
    await Promise.all([adapter.upsert(first.jti, first, 600), adapter.upsert(first.jti, second, 600)]);

    expect(await adapter.find(first.jti)).toEqual(second);
  });

  it('a save the database refuses fails only its own caller; the others in its batch are stored', async () => {
    const adapter = new Adapter('ClientCredentials');
    const good = [credentials(clientId), credentials(clientId)];
    const bad = credentials(clientId);
    // An expiry Postgres cannot represent: the batch statement fails, each save is retried alone.
    const results = await Promise.allSettled([adapter.upsert(good[0]!.jti, good[0]!, 600), adapter.upsert(bad.jti, bad, 1e300), adapter.upsert(good[1]!.jti, good[1]!, 600)]);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await db.knex('client_credentials').whereIn('id', [...good, bad].map((p) => p.jti)).pluck('id')).toEqual(expect.arrayContaining(good.map((p) => p.jti)));
    expect(await db.knex('client_credentials').where({ id: bad.jti }).first()).toBeUndefined();
  });
});

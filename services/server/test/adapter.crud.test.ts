import { randomUUID } from 'node:crypto';
import { UnsecuredJWT } from 'jose';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import type { Db } from '../src/db/knex.ts';
import { createAdapter, type AdapterClass } from '../src/oidc/adapter.ts';
import { backends } from './support/backends.ts';
import {
  accessTokenPayload,
  authorizationCodePayload,
  deviceCodePayload,
  epoch,
  grantPayload,
  insertClient,
  insertUser,
  randomId,
  refreshTokenPayload,
  sessionPayload,
} from './support/oidc-payloads.ts';

type Case = {
  model: string;
  table: string;
  make: (clientId: string) => AdapterPayload;
  /** Typed columns the row must carry, computed from the payload. */
  columns: (payload: AdapterPayload) => Record<string, unknown>;
};

const cases: Case[] = [
  {
    model: 'AuthorizationCode',
    table: 'authorization_codes',
    make: (clientId) => authorizationCodePayload({ clientId }),
    columns: (p) => ({ grant_id: p.grantId, client_id: p.clientId, user_id: p.accountId, scope: p.scope, consumed_at: null }),
  },
  {
    model: 'AccessToken',
    table: 'access_tokens',
    make: (clientId) => accessTokenPayload({ clientId }),
    columns: (p) => ({ grant_id: p.grantId, client_id: p.clientId, user_id: p.accountId, scope: p.scope, revoked_at: null }),
  },
  {
    model: 'RefreshToken',
    table: 'refresh_tokens',
    make: (clientId) => refreshTokenPayload({ clientId }),
    columns: (p) => ({ grant_id: p.grantId, client_id: p.clientId, user_id: p.accountId, scope: p.scope }),
  },
  {
    model: 'DeviceCode',
    table: 'device_codes',
    make: (clientId) => deviceCodePayload({ clientId, grantId: randomId(), accountId: randomUUID() }),
    columns: (p) => ({ grant_id: p.grantId, client_id: p.clientId, user_id: p.accountId, user_code: p.userCode }),
  },
  {
    model: 'ClientCredentials',
    table: 'client_credentials',
    make: (clientId) => ({ iat: epoch(), exp: epoch() + 600, jti: randomId(), kind: 'ClientCredentials', clientId, scope: 'api:read', extra: {} }),
    columns: (p) => ({ client_id: p.clientId, scope: p.scope }),
  },
  {
    model: 'Grant',
    table: 'grants',
    make: (clientId) => grantPayload({ clientId }),
    columns: (p) => ({ client_id: p.clientId, user_id: p.accountId }),
  },
  {
    model: 'Interaction',
    table: 'interactions',
    make: () => ({
      iat: epoch(),
      exp: epoch() + 3600,
      jti: randomId(16),
      kind: 'Interaction',
      returnTo: 'https://id.example.test/auth/abc',
      prompt: { name: 'login', reasons: ['no_session'], details: {} },
      params: { client_id: 'x', scope: 'openid' },
    }),
    columns: () => ({}),
  },
  {
    model: 'PushedAuthorizationRequest',
    table: 'pushed_authorization_requests',
    make: (clientId) => ({
      iat: epoch(),
      exp: epoch() + 60,
      jti: randomId(),
      kind: 'PushedAuthorizationRequest',
      // What oidc-provider stores for a plain (form) PAR: an unsecured JWT carrying the parameters.
      request: new UnsecuredJWT({ client_id: clientId, scope: 'openid' }).setIssuer(clientId).encode(),
      trusted: true,
    }) as unknown as AdapterPayload,
    columns: (p) => ({ client_id: JSON.parse(Buffer.from(String(p.request).split('.')[1]!, 'base64url').toString()).client_id }),
  },
  {
    model: 'ReplayDetection',
    table: 'replay_detections',
    make: () => ({ iat: epoch(), exp: epoch() + 60, jti: randomId(), kind: 'ReplayDetection', iss: 'client' }),
    columns: () => ({}),
  },
  {
    model: 'InitialAccessToken',
    table: 'initial_access_tokens',
    make: () => ({ iat: epoch(), jti: randomId(), kind: 'InitialAccessToken', policies: ['default'] }),
    columns: () => ({ client_id: null }),
  },
  {
    model: 'RegistrationAccessToken',
    table: 'registration_access_tokens',
    make: (clientId) => ({ iat: epoch(), jti: randomId(), kind: 'RegistrationAccessToken', clientId }),
    columns: (p) => ({ client_id: p.clientId }),
  },
];

describe.each(backends)('adapter upsert/find/destroy on $name', (backend) => {
  let db: Db;
  let Adapter: AdapterClass;
  let clientId: string;
  const adapter = (model: string): Adapter => new Adapter(model);

  beforeAll(async () => {
    db = await backend.open();
    Adapter = createAdapter(db, new Keyring(['test-secret-one']));
    clientId = await insertClient(db.knex);
  });
  afterAll(async () => {
    await db?.close();
  });

  it.each(cases)('$model round-trips its payload and fills typed columns', async ({ model, table, make, columns }) => {
    const payload = make(clientId);
    const id = payload.jti!;
    await adapter(model).upsert(id, payload, 3600);

    expect(await adapter(model).find(id)).toEqual(payload);
    const row = await db.knex(table).where({ id }).first();
    expect(row).toMatchObject(columns(payload));
    expect(row.expires_at.getTime()).toBeGreaterThan(Date.now() + 3500_000);

    await adapter(model).destroy(id);
    expect(await adapter(model).find(id)).toBeUndefined();
    if (model === 'Grant') {
      // A destroyed grant stays as a revoked row, so its tokens never point at a grant that is gone.
      expect((await db.knex(table).where({ id }).first()).revoked_at).toBeInstanceOf(Date);
    } else {
      expect(await db.knex(table).where({ id }).first()).toBeUndefined();
    }
  });

  it('find returns undefined for an unknown id', async () => {
    expect(await adapter('AccessToken').find('no-such-token')).toBeUndefined();
  });

  it('upsert of an existing id replaces payload and columns', async () => {
    const first = accessTokenPayload({ clientId });
    const second = { ...first, scope: 'openid profile', accountId: randomUUID() };
    await adapter('AccessToken').upsert(first.jti, first, 3600);
    await adapter('AccessToken').upsert(first.jti, second, 3600);
    expect(await adapter('AccessToken').find(first.jti)).toEqual(second);
    expect(await db.knex('access_tokens').where({ id: first.jti }).first()).toMatchObject({
      scope: 'openid profile',
      user_id: second.accountId,
    });
  });

  it('an expired row is not found but stays until purged', async () => {
    const payload = refreshTokenPayload({ clientId });
    await adapter('RefreshToken').upsert(payload.jti, payload, -5);
    expect(await adapter('RefreshToken').find(payload.jti)).toBeUndefined();
    expect(await db.knex('refresh_tokens').where({ id: payload.jti }).first()).toBeDefined();
  });

  it('a row without expiresIn never expires', async () => {
    const payload = { iat: epoch(), jti: randomId(), kind: 'InitialAccessToken' };
    await adapter('InitialAccessToken').upsert(payload.jti, payload);
    expect((await db.knex('initial_access_tokens').where({ id: payload.jti }).first()).expires_at).toBeNull();
    expect(await adapter('InitialAccessToken').find(payload.jti)).toEqual(payload);
  });

  it('findByUserCode finds a live device code and nothing else', async () => {
    const payload = deviceCodePayload({ clientId });
    await adapter('DeviceCode').upsert(payload.jti, payload, 600);
    expect(await adapter('DeviceCode').findByUserCode(payload.userCode)).toEqual(payload);
    expect(await adapter('DeviceCode').findByUserCode('WRONG-CODE')).toBeUndefined();

    const expired = deviceCodePayload({ clientId });
    await adapter('DeviceCode').upsert(expired.jti, expired, -1);
    expect(await adapter('DeviceCode').findByUserCode(expired.userCode)).toBeUndefined();
  });

  it('findByUid finds a session; user_id is set only for an existing user uuid', async () => {
    const userId = await insertUser(db.knex);
    const signedIn = sessionPayload({ accountId: userId });
    await adapter('Session').upsert(signedIn.jti, signedIn, 3600);
    expect(await adapter('Session').findByUid(signedIn.uid)).toEqual(signedIn);
    expect(await adapter('Session').find(signedIn.jti)).toEqual(signedIn);
    expect((await db.knex('sessions').where({ id: signedIn.jti }).first()).user_id).toBe(userId);

    const notAUuid = sessionPayload({ accountId: 'legacy-account-42' });
    await adapter('Session').upsert(notAUuid.jti, notAUuid, 3600);
    expect((await db.knex('sessions').where({ id: notAUuid.jti }).first()).user_id).toBeNull();

    const unknownUser = sessionPayload({ accountId: randomUUID() });
    await adapter('Session').upsert(unknownUser.jti, unknownUser, 3600);
    expect((await db.knex('sessions').where({ id: unknownUser.jti }).first()).user_id).toBeNull();

    const anonymous = sessionPayload({});
    await adapter('Session').upsert(anonymous.jti, anonymous, 3600);
    expect(await adapter('Session').findByUid(anonymous.uid)).toEqual(anonymous);
    expect(await adapter('Session').findByUid('no-such-uid')).toBeUndefined();
  });

  it('a revoked session is not found', async () => {
    const payload = sessionPayload({});
    await adapter('Session').upsert(payload.jti, payload, 3600);
    await db.knex('sessions').where({ id: payload.jti }).update({ revoked_at: db.knex.fn.now(), revoked_reason: 'admin' });
    expect(await adapter('Session').find(payload.jti)).toBeUndefined();
    expect(await adapter('Session').findByUid(payload.uid)).toBeUndefined();
  });

  it('every adapter call is one database round trip', async () => {
    const statements: string[] = [];
    const onQuery = (query: { sql: string }) => statements.push(query.sql);
    const count = async (call: () => Promise<unknown>) => {
      statements.length = 0;
      db.knex.on('query', onQuery);
      try {
        await call().catch(() => undefined);
      } finally {
        db.knex.off('query', onQuery);
      }
      return statements.length;
    };
    const device = deviceCodePayload({ clientId, grantId: randomId() });
    const session = sessionPayload({ accountId: randomUUID() });
    const code = authorizationCodePayload({ clientId });
    expect(await count(() => adapter('DeviceCode').upsert(device.jti, device, 600))).toBe(1);
    expect(await count(() => adapter('Session').upsert(session.jti, session, 600))).toBe(1);
    expect(await count(() => adapter('AuthorizationCode').upsert(code.jti, code, 60))).toBe(1);
    expect(await count(() => adapter('DeviceCode').find(device.jti))).toBe(1);
    expect(await count(() => adapter('DeviceCode').findByUserCode(device.userCode))).toBe(1);
    expect(await count(() => adapter('Session').findByUid(session.uid))).toBe(1);
    expect(await count(() => adapter('AuthorizationCode').consume(code.jti))).toBe(1);
    // The losing consume revokes the grant and fails in that same statement.
    expect(await count(() => adapter('AuthorizationCode').consume(code.jti))).toBe(1);
    expect(await count(() => adapter('DeviceCode').destroy(device.jti))).toBe(1);
    expect(await count(() => adapter('Client').find(clientId))).toBe(1);
  });

  it('refuses models that have no table', () => {
    expect(() => adapter('BackchannelAuthenticationRequest')).toThrow(/No table/);
  });
});

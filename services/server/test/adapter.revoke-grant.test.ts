import type { Adapter } from 'oidc-provider';
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
  randomId,
  refreshTokenPayload,
} from './support/oidc-payloads.ts';

describe.each(backends)('adapter revokeByGrantId on $name', (backend) => {
  let db: Db;
  let Adapter: AdapterClass;
  let clientId: string;
  const adapter = (model: string): Adapter => new Adapter(model);

  async function issueGrant() {
    const grant = grantPayload({ clientId });
    const grantId = grant.jti;
    const accountId = grant.accountId;
    const rows = {
      grant,
      code: authorizationCodePayload({ clientId, grantId, accountId }),
      access: [accessTokenPayload({ clientId, grantId, accountId }), accessTokenPayload({ clientId, grantId, accountId })],
      refresh: refreshTokenPayload({ clientId, grantId, accountId }),
      device: deviceCodePayload({ clientId, grantId, accountId }),
    };
    await adapter('Grant').upsert(grantId, rows.grant, 3600);
    await adapter('AuthorizationCode').upsert(rows.code.jti, rows.code, 60);
    for (const token of rows.access) await adapter('AccessToken').upsert(token.jti, token, 3600);
    await adapter('RefreshToken').upsert(rows.refresh.jti, rows.refresh, 86400);
    await adapter('DeviceCode').upsert(rows.device.jti, rows.device, 600);
    return rows;
  }

  async function liveCount(rows: Awaited<ReturnType<typeof issueGrant>>) {
    const found = await Promise.all([
      adapter('Grant').find(rows.grant.jti),
      adapter('AuthorizationCode').find(rows.code.jti),
      ...rows.access.map((token) => adapter('AccessToken').find(token.jti)),
      adapter('RefreshToken').find(rows.refresh.jti),
      adapter('DeviceCode').find(rows.device.jti),
      adapter('DeviceCode').findByUserCode(rows.device.userCode),
    ]);
    return found.filter(Boolean).length;
  }

  beforeAll(async () => {
    db = await backend.open();
    Adapter = createAdapter(db, new Keyring(['test-secret-one']));
    clientId = await insertClient(db.knex);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('revokes every token, code and device code of the grant, and the grant, in one statement', async () => {
    const target = await issueGrant();
    const other = await issueGrant();
    expect(await liveCount(target)).toBe(7);

    const statements: string[] = [];
    const onQuery = (query: { sql: string }) => statements.push(query.sql);
    db.knex.on('query', onQuery);
    try {
      await adapter('AccessToken').revokeByGrantId(target.grant.jti);
    } finally {
      db.knex.off('query', onQuery);
    }
    expect(statements).toHaveLength(1);

    expect(await liveCount(target)).toBe(0);
    expect(await liveCount(other)).toBe(7);
    // Revoked rows stay (audit, reuse detection) until the purge; codes are simply deleted.
    const accessRows = await db.knex('access_tokens').whereIn('id', target.access.map((t) => t.jti));
    expect(accessRows.map((row) => row.revoked_at)).toEqual([expect.any(Date), expect.any(Date)]);
    expect(await db.knex('refresh_tokens').where({ id: target.refresh.jti }).first()).toMatchObject({ revoked_at: expect.any(Date) });
    expect(await db.knex('device_codes').where({ id: target.device.jti }).first()).toMatchObject({ revoked_at: expect.any(Date) });
    expect(await db.knex('grants').where({ id: target.grant.jti }).first()).toMatchObject({ revoked_at: expect.any(Date) });
    expect(await db.knex('authorization_codes').where({ id: target.code.jti }).first()).toBeUndefined();
  });

  it("oidc-provider's parallel calls (one per model) for one grant share a single statement", async () => {
    const target = await issueGrant();
    const statements: string[] = [];
    const onQuery = (query: { sql: string }) => statements.push(query.sql);
    db.knex.on('query', onQuery);
    try {
      await Promise.all(
        ['AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode'].map((model) => adapter(model).revokeByGrantId(target.grant.jti)),
      );
    } finally {
      db.knex.off('query', onQuery);
    }
    expect(statements).toHaveLength(1);
    expect(await liveCount(target)).toBe(0);
    // Once settled, a later call runs again (e.g. for tokens issued since).
    const late = accessTokenPayload({ clientId, grantId: target.grant.jti });
    await db.knex('access_tokens').insert({ id: late.jti, payload: late, client_id: clientId, grant_id: target.grant.jti, expires_at: new Date(Date.now() + 60_000) });
    await adapter('AccessToken').revokeByGrantId(target.grant.jti);
    expect(await adapter('AccessToken').find(late.jti)).toBeUndefined();
  });

  it('is idempotent and keeps the first revocation time', async () => {
    const target = await issueGrant();
    await adapter('RefreshToken').revokeByGrantId(target.grant.jti);
    const first = (await db.knex('refresh_tokens').where({ id: target.refresh.jti }).first()).revoked_at as Date;
    await adapter('AuthorizationCode').revokeByGrantId(target.grant.jti);
    const second = (await db.knex('refresh_tokens').where({ id: target.refresh.jti }).first()).revoked_at as Date;
    expect(second.getTime()).toBe(first.getTime());
  });

  it('leaves client-credentials tokens and unrelated grants alone', async () => {
    const cc = { iat: epoch(), exp: epoch() + 600, jti: randomId(), kind: 'ClientCredentials', clientId, scope: 'api' };
    await adapter('ClientCredentials').upsert(cc.jti, cc, 600);
    await adapter('AccessToken').revokeByGrantId('no-such-grant');
    expect(await adapter('ClientCredentials').find(cc.jti)).toEqual(cc);
  });
});

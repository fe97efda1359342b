import { UnsecuredJWT } from 'jose';
import type Provider from 'oidc-provider';
import { errors, type Adapter } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import type { Db } from '../src/db/knex.ts';
import { claimReplay } from '../src/db/oidc-models.ts';
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
import { testProvider } from './support/test-provider.ts';

// These rows have no browser session behind them; oidc-provider's option skips that check.
const unbound = { ignoreSessionBinding: true } as { ignoreExpiration?: boolean };

describe.each(backends)('adapter consume on $name', (backend) => {
  let db: Db;
  let Adapter: AdapterClass;
  let provider: Provider;
  let clientId: string;
  const adapter = (model: string): Adapter => new Adapter(model);

  /** A grant with a code, an access token and a refresh token issued under it. */
  async function issueGrant() {
    const grant = grantPayload({ clientId });
    const grantId = grant.jti;
    const code = authorizationCodePayload({ clientId, grantId, accountId: grant.accountId });
    const access = accessTokenPayload({ clientId, grantId, accountId: grant.accountId });
    const refresh = refreshTokenPayload({ clientId, grantId, accountId: grant.accountId });
    await adapter('Grant').upsert(grantId, grant, 3600);
    await adapter('AuthorizationCode').upsert(code.jti, code, 60);
    await adapter('AccessToken').upsert(access.jti, access, 3600);
    await adapter('RefreshToken').upsert(refresh.jti, refresh, 86400);
    return { grantId, code: code.jti, access: access.jti, refresh: refresh.jti };
  }

  async function expectRevoked(issued: Awaited<ReturnType<typeof issueGrant>>) {
    expect(await adapter('Grant').find(issued.grantId)).toBeUndefined();
    expect(await adapter('AccessToken').find(issued.access)).toBeUndefined();
    expect(await adapter('RefreshToken').find(issued.refresh)).toBeUndefined();
    expect(await adapter('AuthorizationCode').find(issued.code)).toBeUndefined();
  }

  beforeAll(async () => {
    db = await backend.open();
    Adapter = createAdapter(db, new Keyring(['test-secret-one']));
    // A real provider reads our rows through its own models (payload checks, `consumed`).
    provider = testProvider(Adapter);
    clientId = await insertClient(db.knex);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('consume marks an authorization code consumed; oidc-provider sees it', async () => {
    const issued = await issueGrant();
    const before = epoch();
    await adapter('AuthorizationCode').consume(issued.code);

    const found = await adapter('AuthorizationCode').find(issued.code);
    expect(found?.consumed).toBeGreaterThanOrEqual(before - 1);
    expect(found?.consumed).toBeLessThanOrEqual(epoch() + 1);
    const model = await provider.AuthorizationCode.find(issued.code, unbound);
    expect((model as { consumed?: unknown } | undefined)?.consumed).toBeTruthy();
    expect(model?.isValid).toBe(false);
    // The rest of the grant is untouched by a first, legitimate redemption.
    expect(await adapter('AccessToken').find(issued.access)).toBeDefined();
    expect(await adapter('Grant').find(issued.grantId)).toBeDefined();
  });

  it('a second consume of a code throws InvalidGrant and revokes the whole grant', async () => {
    const issued = await issueGrant();
    const bystander = await issueGrant();
    await adapter('AuthorizationCode').consume(issued.code);

    const error = await adapter('AuthorizationCode').consume(issued.code).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(errors.InvalidGrant);
    expect(error).toMatchObject({ status: 400, error: 'invalid_grant', expose: true });

    await expectRevoked(issued);
    expect(await db.knex('access_tokens').where({ id: issued.access }).first()).toMatchObject({ revoked_at: expect.any(Date) });
    expect(await db.knex('grants').where({ id: issued.grantId }).first()).toMatchObject({ revoked_at: expect.any(Date) });
    // Another grant of the same client and user is not collateral damage.
    expect(await adapter('AccessToken').find(bystander.access)).toBeDefined();
    expect(await adapter('Grant').find(bystander.grantId)).toBeDefined();
  });

  it('a second consume of a refresh token throws InvalidGrant and revokes the grant', async () => {
    const issued = await issueGrant();
    await adapter('RefreshToken').consume(issued.refresh);
    const model = await provider.RefreshToken.find(issued.refresh, unbound);
    expect((model as { consumed?: unknown } | undefined)?.consumed).toBeTruthy();

    await expect(adapter('RefreshToken').consume(issued.refresh)).rejects.toBeInstanceOf(errors.InvalidGrant);
    await expectRevoked(issued);
  });

  it('consuming a revoked or unknown refresh token fails', async () => {
    const issued = await issueGrant();
    await adapter('RefreshToken').revokeByGrantId(issued.grantId);
    await expect(adapter('RefreshToken').consume(issued.refresh)).rejects.toBeInstanceOf(errors.InvalidGrant);
    expect((await db.knex('refresh_tokens').where({ id: issued.refresh }).first()).consumed_at).toBeNull();
    await expect(adapter('RefreshToken').consume('no-such-token')).rejects.toBeInstanceOf(errors.InvalidGrant);
  });

  it('a device code is consumed once', async () => {
    const grant = grantPayload({ clientId });
    await adapter('Grant').upsert(grant.jti, grant, 3600);
    const device = deviceCodePayload({ clientId, grantId: grant.jti, accountId: grant.accountId });
    await adapter('DeviceCode').upsert(device.jti, device, 600);
    await adapter('DeviceCode').consume(device.jti);
    expect((await adapter('DeviceCode').findByUserCode(device.userCode))?.consumed).toBeTypeOf('number');
    await expect(adapter('DeviceCode').consume(device.jti)).rejects.toBeInstanceOf(errors.InvalidGrant);
    expect(await adapter('Grant').find(grant.jti)).toBeUndefined();
  });

  it('a pushed authorization request is consumed once (invalid_request_uri after)', async () => {
    const par = {
      iat: epoch(),
      exp: epoch() + 60,
      jti: randomId(),
      kind: 'PushedAuthorizationRequest',
      request: new UnsecuredJWT({ client_id: clientId }).encode(),
    };
    await adapter('PushedAuthorizationRequest').upsert(par.jti, par, 60);
    await adapter('PushedAuthorizationRequest').consume(par.jti);
    await expect(adapter('PushedAuthorizationRequest').consume(par.jti)).rejects.toMatchObject({
      error: 'invalid_request_uri',
      status: 400,
    });
  });

  it('re-saving a consumed token keeps it consumed', async () => {
    const issued = await issueGrant();
    await adapter('RefreshToken').consume(issued.refresh);
    const stored = await adapter('RefreshToken').find(issued.refresh);
    const { consumed: _consumed, ...withoutConsumed } = stored!;
    await adapter('RefreshToken').upsert(issued.refresh, withoutConsumed, 3600);
    expect((await adapter('RefreshToken').find(issued.refresh))?.consumed).toBeTypeOf('number');
  });

  it('a token saved under an already revoked grant is born revoked', async () => {
    const issued = await issueGrant();
    await adapter('AccessToken').revokeByGrantId(issued.grantId);
    const late = accessTokenPayload({ clientId, grantId: issued.grantId });
    await adapter('AccessToken').upsert(late.jti, late, 3600);
    expect(await adapter('AccessToken').find(late.jti)).toBeUndefined();
    // ...and a re-save never un-revokes.
    await adapter('AccessToken').upsert(issued.access, accessTokenPayload({ clientId, grantId: issued.grantId }), 3600);
    expect(await adapter('AccessToken').find(issued.access)).toBeUndefined();
  });

  it('only single-use models can be consumed', async () => {
    await expect(adapter('AccessToken').consume('x')).rejects.toThrow(/cannot be consumed/);
  });
});

describe.each(backends)('claimReplay on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('accepts a jti once while it lives, and again once it expired', async () => {
    const id = randomId();
    const payload = { iat: epoch(), exp: epoch() + 60, jti: id, kind: 'ReplayDetection', iss: 'client' };
    const results = await Promise.all([claimReplay(db.knex, id, payload, 60), claimReplay(db.knex, id, payload, 60)]);
    expect(results.sort()).toEqual([false, true]);
    expect(await claimReplay(db.knex, id, payload, 60)).toBe(false);

    const old = randomId();
    await claimReplay(db.knex, old, { ...payload, jti: old }, -1);
    expect(await claimReplay(db.knex, old, { ...payload, jti: old }, 60)).toBe(true);
  });
});

import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, noChromiumReason } from '../support/chromium.ts';
import { expectNoProblems, landedOnCallback, signInWithPassword, startE2e, type E2e } from './fixture.ts';

describe.skipIf(!hasChromium)(`code + PKCE flow to an openid-client RP, in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e();
  });
  afterAll(() => e2e?.stop());

  it('finishes at the RP with an ID token whose signature verifies against the JWKS, and userinfo', async () => {
    const user = await e2e.createPasswordUser({ first_name: 'Grace', last_name: 'Hopper' });
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await signInWithPassword(tab.page, user.email, user.password);
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();

    const callback = await landedOnCallback(tab.page, e2e.rp);
    expect(callback.searchParams.get('iss')).toBe(e2e.server.issuer);
    const tokens = await e2e.app.finish(callback, request);
    // enableNonRepudiationChecks fetched the JWKS and checked the signature.
    expect(client.getJwksCache(e2e.app.config)).toBeDefined();
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ sub: user.id, iss: e2e.server.issuer, aud: e2e.app.clientId, nonce: request.nonce });

    const info = await client.fetchUserInfo(e2e.app.config, tokens.access_token, user.id);
    expect(info).toMatchObject({ sub: user.id, email: user.email, email_verified: true, name: 'Grace Hopper' });
    expectNoProblems(tab);
  });

  it('refresh: offline_access yields a refresh token that rotates and keeps the subject', async () => {
    const { user, tokens } = await e2e.signInAndAllow({ scope: 'openid email offline_access', prompt: 'consent' });
    expect(tokens.refresh_token).toBeTruthy();

    const refreshed = await e2e.app.refresh(tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.claims()?.sub).toBe(user.id);
    const info = await client.fetchUserInfo(e2e.app.config, refreshed.access_token, user.id);
    expect(info.email).toBe(user.email);

    // Rotation: the first refresh token is spent, and reusing it fails.
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(e2e.app.refresh(tokens.refresh_token!)).rejects.toThrow();
  });

  it('prompt=none with an existing session returns straight to the RP', async () => {
    const { user, tab } = await e2e.signInAndAllow();

    const silent = await e2e.app.authorizationRequest({ prompt: 'none' });
    await tab.page.goto(silent.url.href);
    const tokens = await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), silent);
    expect(tokens.claims()?.sub).toBe(user.id);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertScope } from '../../src/db/scopes.ts';
import { hasChromium, noChromiumReason } from '../support/chromium.ts';
import { expectNoProblems, landedOnCallback, signInWithPassword, startE2e, type E2e } from './fixture.ts';

describe.skipIf(!hasChromium)(`consent in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e();
    await upsertScope(e2e.server.db.knex, 'email', 'Read the email address on your Acme account');
    await upsertScope(e2e.server.db.knex, 'profile', 'Read your Acme display name');
  });
  afterAll(() => e2e?.stop());

  it('shows the client name and each scope description; Allow finishes at the RP with a code', async () => {
    const user = await e2e.createPasswordUser();
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await signInWithPassword(tab.page, user.email, user.password);

    const allow = tab.page.getByRole('button', { name: 'Allow', exact: true });
    await allow.waitFor();
    await expect(tab.page.getByText(e2e.app.name).first().isVisible()).resolves.toBe(true);
    await expect(tab.page.getByText('Read the email address on your Acme account').isVisible()).resolves.toBe(true);
    await expect(tab.page.getByText('Read your Acme display name').isVisible()).resolves.toBe(true);
    await expect(tab.page.getByRole('button', { name: 'Deny', exact: true }).isVisible()).resolves.toBe(true);
    await allow.click();

    const callback = await landedOnCallback(tab.page, e2e.rp);
    expect(callback.searchParams.get('code')).toBeTruthy();
    const tokens = await e2e.app.finish(callback, request);
    expect(tokens.claims()?.sub).toBe(user.id);
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    expectNoProblems(tab);
  });

  it('Deny sends access_denied to the RP, and no code', async () => {
    const user = await e2e.createPasswordUser();
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await signInWithPassword(tab.page, user.email, user.password);
    await tab.page.getByRole('button', { name: 'Deny', exact: true }).click();

    const callback = await landedOnCallback(tab.page, e2e.rp);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(request.state);
    expect(callback.searchParams.has('code')).toBe(false);
    expectNoProblems(tab);
  });

  it('a remembered grant skips the consent page the second time', async () => {
    const { user, tab } = await e2e.signInAndAllow();

    // Same browser (session), same scopes: straight back to the RP.
    const second = await e2e.app.authorizationRequest();
    await tab.page.goto(second.url.href);
    const tokens = await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), second);
    expect(tokens.claims()?.sub).toBe(user.id);
  });

  it('a first-party client skips consent', async () => {
    const firstParty = await e2e.rp.register(e2e.server, { firstParty: true });
    const user = await e2e.createPasswordUser();
    const tab = await e2e.tab();
    const request = await firstParty.authorizationRequest();
    await tab.page.goto(request.url.href);
    await signInWithPassword(tab.page, user.email, user.password);
    const tokens = await firstParty.finish(await landedOnCallback(tab.page, e2e.rp), request);
    expect(tokens.claims()?.sub).toBe(user.id);
  });
});

import * as client from 'openid-client';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, noChromiumReason } from '../support/chromium.ts';
import { expectNoProblems, signInWithPassword, startE2e, type E2e } from './fixture.ts';

/** Enters the user code at /device and signs in when the page asks for it. */
async function enterUserCode(page: Page, userCode: string, user: { email: string; password: string }): Promise<void> {
  await page.getByLabel('Code shown on your device').fill(userCode);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  const email = page.getByLabel('Email address');
  const allow = page.getByRole('button', { name: 'Allow', exact: true });
  await email.or(allow).first().waitFor();
  if (await email.isVisible()) await signInWithPassword(page, user.email, user.password);
}

describe.skipIf(!hasChromium)(`device flow in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e();
  });
  afterAll(() => e2e?.stop());

  /** A user, and a device that has asked to connect and is polling for tokens (abort to stop it). */
  async function connectingDevice(scope: string) {
    const user = await e2e.createPasswordUser();
    const device = await client.initiateDeviceAuthorization(e2e.app.config, { scope });
    const abort = new AbortController();
    const polling = client.pollDeviceAuthorizationGrant(e2e.app.config, device, undefined, { signal: abort.signal });
    polling.catch(() => {});
    return { user, device, polling, abort };
  }

  it('the client polls with openid-client while the person enters the code at /device and allows', async () => {
    const { user, device, polling, abort } = await connectingDevice('openid email');
    try {
      const tab = await e2e.tab();
      await tab.page.goto(device.verification_uri);
      expect(new URL(tab.page.url()).pathname).toBe('/device');
      // Case and dashes do not matter.
      await enterUserCode(tab.page, device.user_code.replace(/-/g, '').toLowerCase(), user);

      await expect(tab.page.getByText(e2e.app.name).first().isVisible()).resolves.toBe(true);
      await expect(tab.page.getByRole('button', { name: 'Deny', exact: true }).isVisible()).resolves.toBe(true);
      await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();
      await tab.page.waitForLoadState();

      const tokens = await polling;
      expect(tokens.claims()?.sub).toBe(user.id);
      const info = await client.fetchUserInfo(e2e.app.config, tokens.access_token, user.id);
      expect(info.email).toBe(user.email);
      expectNoProblems(tab);
    } finally {
      abort.abort();
    }
  });

  it('Deny ends the client polling with access_denied', async () => {
    const { user, device, polling, abort } = await connectingDevice('openid');
    try {
      const tab = await e2e.tab();
      await tab.page.goto(device.verification_uri);
      await enterUserCode(tab.page, device.user_code, user);
      await tab.page.getByRole('button', { name: 'Deny', exact: true }).click();
      await tab.page.waitForLoadState();
      const error = await polling.then(
        () => undefined,
        (e: unknown) => e as { error?: string },
      );
      expect(error?.error).toBe('access_denied');
    } finally {
      abort.abort();
    }
  });

  it('a link that carries the code (verification_uri_complete) asks to check the code first, then connects', async () => {
    const { user, device, polling, abort } = await connectingDevice('openid');
    try {
      const tab = await e2e.tab();
      await tab.page.goto(device.verification_uri_complete!);
      await expect(tab.page.getByText(device.user_code, { exact: true }).isVisible()).resolves.toBe(true);
      await tab.page.getByRole('button', { name: 'Continue', exact: true }).click();
      await signInWithPassword(tab.page, user.email, user.password);
      await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();
      await expect(tab.page.getByRole('status').textContent()).resolves.toMatch(/connected/);
      expect((await polling).claims()?.sub).toBe(user.id);
      expectNoProblems(tab);
    } finally {
      abort.abort();
    }
  });

  it('a wrong code shows an error next to the field, and the page keeps working', async () => {
    const tab = await e2e.tab();
    await tab.page.goto(`${e2e.server.issuer}/device`);
    await tab.page.getByLabel('Code shown on your device').fill('BCDF-GHJK');
    await tab.page.getByRole('button', { name: 'Continue', exact: true }).click();
    const input = tab.page.getByLabel('Code shown on your device');
    await expect(input.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(tab.page.getByRole('alert').textContent()).resolves.toMatch(/not recognised/);
    expectNoProblems(tab);
  });
});

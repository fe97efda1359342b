import { stat } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertScope } from '../../src/db/scopes.ts';
import { hasChromium, horizontalOverflow, noChromiumReason, screenshot } from '../support/chromium.ts';
import { expectNoProblems, signInWithPassword, startE2e, type E2e } from './fixture.ts';

// Produced on every run into test-artifacts/screenshots (gitignored) so a person can look at them.
const viewports = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;

/** A PNG that is more than a blank page: its size grows with what is drawn. */
async function expectScreenshot(file: string): Promise<void> {
  const { size } = await stat(file);
  expect(size, file).toBeGreaterThan(8_000);
}

/** Nothing sticks out sideways: the page is no wider than the viewport. */
async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
}

describe.skipIf(!hasChromium)(`screenshots of hosted pages${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e({ env: { LATCHKEY_PRODUCT_NAME: 'Acme Accounts', LATCHKEY_BRAND_COLOR: '#0b7285' } });
    await upsertScope(e2e.server.db.knex, 'email', 'See your email address');
    await upsertScope(e2e.server.db.knex, 'profile', 'See your name and profile picture');
  });
  afterAll(() => e2e?.stop());

  describe.each(Object.entries(viewports))('%s', (name, viewport) => {
    it('sign-in page (and with an error)', async () => {
      const tab = await e2e.tab({ viewport });
      const request = await e2e.app.authorizationRequest();
      await tab.page.goto(request.url.href);
      await tab.page.getByLabel('Email address').waitFor();
      await expectNoHorizontalOverflow(tab.page);
      await expectScreenshot(await screenshot(tab.page, `sign-in.${name}`));

      await signInWithPassword(tab.page, 'nobody@example.com', 'not the password');
      await tab.page.getByRole('alert').waitFor();
      await expectNoHorizontalOverflow(tab.page);
      await expectScreenshot(await screenshot(tab.page, `sign-in.error.${name}`));
      expectNoProblems(tab);
    });

    it('consent page', async () => {
      const user = await e2e.createPasswordUser();
      const tab = await e2e.tab({ viewport });
      const request = await e2e.app.authorizationRequest({ scope: 'openid email profile offline_access', prompt: 'consent' });
      await tab.page.goto(request.url.href);
      await signInWithPassword(tab.page, user.email, user.password);
      await tab.page.getByRole('button', { name: 'Allow', exact: true }).waitFor();
      await expectNoHorizontalOverflow(tab.page);
      await expectScreenshot(await screenshot(tab.page, `consent.${name}`));
      expectNoProblems(tab);
    });

    it('device pages (code entry, and approval)', async () => {
      const user = await e2e.createPasswordUser();
      const tab = await e2e.tab({ viewport });
      const { initiateDeviceAuthorization } = await import('openid-client');
      const device = await initiateDeviceAuthorization(e2e.app.config, { scope: 'openid email profile' });
      await tab.page.goto(device.verification_uri);
      await tab.page.getByLabel('Code shown on your device').waitFor();
      await expectNoHorizontalOverflow(tab.page);
      await expectScreenshot(await screenshot(tab.page, `device.${name}`));

      await tab.page.getByLabel('Code shown on your device').fill(device.user_code);
      await tab.page.getByRole('button', { name: 'Continue', exact: true }).click();
      const email = tab.page.getByLabel('Email address');
      const allow = tab.page.getByRole('button', { name: 'Allow', exact: true });
      await email.or(allow).first().waitFor();
      if (await email.isVisible()) await signInWithPassword(tab.page, user.email, user.password);
      await allow.waitFor();
      await expectNoHorizontalOverflow(tab.page);
      await expectScreenshot(await screenshot(tab.page, `device.approve.${name}`));
      expectNoProblems(tab);
    });
  });
});

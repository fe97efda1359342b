import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, noChromiumReason, openTab } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.skipIf(!hasChromium)(`/api/docs in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the operations from /api/openapi.json, loads everything locally, and violates no CSP rule', async () => {
    const tab = await openTab(browser);
    const requested: string[] = [];
    tab.page.on('request', (request) => requested.push(request.url()));
    const violations: string[] = [];
    await tab.page.exposeFunction('reportViolation', (text: string) => violations.push(text));
    // Runs in the page (a string: this file is type-checked without the DOM library).
    await tab.page.addInitScript(`document.addEventListener('securitypolicyviolation', (event) => window.reportViolation(event.violatedDirective + ' ' + event.blockedURI));`);
    const response = await tab.page.goto(`${server.url}/api/docs`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await tab.page.getByText('/api/v1/admin/scopes/{name}').first().waitFor();
    expect(await tab.page.locator('.opblock').count()).toBeGreaterThanOrEqual(5);
    expect(await tab.page.getByText('Create a scope').count()).toBeGreaterThan(0);
    expect(violations).toEqual([]);
    expect(tab.problems).toEqual([]);
    expect(requested.every((url) => url.startsWith(server.url) || url.startsWith('data:'))).toBe(true);
    await tab.close();
  });
});

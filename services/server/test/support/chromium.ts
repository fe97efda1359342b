import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { decideChromium } from './chromium-decision.ts';

// Debian's chromium drives the page tests; a test tool's own browser download
// cannot work here (no network but the package registries), so nothing is downloaded.
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// Throws under CI when Chromium is missing, so every page test file fails instead of skipping.
export const hasChromium = decideChromium({ path: chromiumPath, found: existsSync(chromiumPath), ci: process.env.CI }) === 'run';
export const noChromiumReason = `no Chromium at ${chromiumPath} (install Debian's chromium, as .ci/run does, or set CHROMIUM_PATH; under CI this fails)`;

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where screenshots go: test-artifacts/ at the repository root (gitignored). */
export const screenshotDir = path.resolve(serverDir, '../../test-artifacts/screenshots');

/**
 * One browser per test file. Playwright gives it a fresh, empty profile
 * (its own temporary user-data-dir), deleted on close.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export type Tab = {
  context: BrowserContext;
  page: Page;
  /** Console errors (CSP violations among them), uncaught page errors and failed subresources, as they happened. */
  problems: string[];
  close: () => Promise<void>;
};

/** A new context (own cookies) with one page that records console errors. */
export async function openTab(browser: Browser, options: BrowserContextOptions = {}): Promise<Tab> {
  const context = await browser.newContext({ locale: 'en-US', ...options });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // Chromium also logs every 4xx/5xx response here; those are judged below, by resource type.
    if (message.type() !== 'error' || message.text().startsWith('Failed to load resource: the server responded with a status')) return;
    problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  // A page may answer 4xx on purpose (a refused form), never 5xx; its stylesheets, scripts and images may not fail at all.
  page.on('response', (response) => {
    const request = response.request();
    const broken = request.resourceType() === 'document' ? response.status() >= 500 : response.status() >= 400 && !request.url().endsWith('/favicon.ico');
    if (broken) problems.push(`${request.resourceType()} ${request.method()} ${request.url()} answered ${response.status()}`);
  });
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '';
    // ERR_ABORTED: the test navigated on before a load finished; not the page's fault.
    if (!reason.includes('ERR_ABORTED')) problems.push(`${request.resourceType()} ${request.url()} failed: ${reason}`);
  });
  return { context, page, problems, close: () => context.close() };
}

/** Screenshot of the full page to test-artifacts/screenshots/NAME.png; returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Accessibility smoke check of the current page: every visible form control
 * has an accessible name, as Chromium's own accessibility tree computes it
 * (label, aria-label or aria-labelledby). Returns the controls that have none.
 */
export async function unlabelledControls(page: Page): Promise<string[]> {
  const controls = page.locator('input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea');
  const missing: string[] = [];
  for (const control of await controls.all()) {
    if (!(await control.isVisible())) continue;
    // e.g. `- textbox "Email address"`; an unnamed control has no quoted name.
    const snapshot = await control.ariaSnapshot();
    if (!/"[^"]+"/.test(snapshot.split('\n')[0] ?? '')) missing.push(`${snapshot} (name=${await control.getAttribute('name')})`);
  }
  return missing;
}

/** How much wider than the viewport the page is (0 when nothing sticks out sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as Promise<number>;
}

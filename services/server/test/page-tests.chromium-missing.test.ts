import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decideChromium } from './support/chromium-decision.ts';

const helper = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support/chromium.ts');

/** Loads the page-test helper in a fresh process with the given environment, as a page test file does. */
function loadHelper(env: Record<string, string>) {
  const script = `const m = await import(${JSON.stringify(helper)}); console.log(JSON.stringify({ hasChromium: m.hasChromium }));`;
  return spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
}

describe('page tests without Chromium', () => {
  it('fail under CI instead of skipping silently; skip locally; run when it is there', () => {
    expect(() => decideChromium({ path: '/nowhere/chromium', found: false, ci: 'true' })).toThrow(/need Chromium under CI.*\/nowhere\/chromium/);
    expect(() => decideChromium({ path: '/nowhere/chromium', found: false, ci: '1' })).toThrow(/under CI/);
    expect(decideChromium({ path: '/nowhere/chromium', found: false, ci: undefined })).toBe('skip');
    expect(decideChromium({ path: '/nowhere/chromium', found: false, ci: 'false' })).toBe('skip');
    expect(decideChromium({ path: '/usr/bin/chromium', found: true, ci: 'true' })).toBe('run');
  });

  it('the helper every page test imports refuses to load under CI when the browser is missing', () => {
    const ci = loadHelper({ CI: 'true', CHROMIUM_PATH: '/nowhere/chromium' });
    expect(ci.status).not.toBe(0);
    expect(ci.stderr).toMatch(/page tests need Chromium under CI/);

    const local = loadHelper({ CHROMIUM_PATH: '/nowhere/chromium' });
    expect(local.status, local.stderr).toBe(0);
    expect(JSON.parse(local.stdout)).toEqual({ hasChromium: false });
  });
});

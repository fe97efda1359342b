import { randomInt } from 'node:crypto';
import { expect } from 'vitest';
import { PageClient, inputValue, isInteraction, signInOnly } from './hosted-flow.ts';
import type { TestServer } from './server.ts';

/** A valid, fictional North American number (555 exchange), random so parallel files sharing Redis do not share limits. */
export const phoneNumber = (): string => `+1415555${String(randomInt(0, 10_000)).padStart(4, '0')}`;

/** The same number as a person might type it: "+1 (415) 555-0123". */
export const typed = (e164: string): string => `+1 (${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;

/** A browser signed in to the account console (the login prompt finished in process), on /account/phone. */
export async function consoleOnPhone(server: TestServer, userId: string): Promise<{ browser: PageClient; page: string; csrf: string }> {
  const browser = new PageClient(server.issuer);
  const toLogin = await browser.follow('/account/phone', isInteraction);
  const landed = await browser.follow(await signInOnly(server, toLogin.url, userId));
  expect(landed.url.pathname).toBe('/account/phone');
  const page = await landed.response!.text();
  return { browser, page, csrf: inputValue(page, 'csrf') };
}

/** The 6-digit code of the newest text to `e164` in a dev server's outbox (/dev/sms). */
export async function codeFromDevOutbox(server: TestServer, e164: string): Promise<string> {
  const page = await (await fetch(`${server.url}/dev/sms`)).text();
  const start = page.indexOf(`<dd>${e164}</dd>`);
  if (start === -1) throw new Error(`no text to ${e164} in the dev outbox`);
  const code = /\b(\d{6})\b/.exec(page.slice(start))?.[1];
  if (!code) throw new Error('no code in the text');
  return code;
}

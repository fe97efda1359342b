import { randomBytes } from 'node:crypto';
import { generate } from 'otplib';
import { expect } from 'vitest';
import { hashPassword } from '../../src/password/hash.ts';
import { startFlow, type Flow } from './email-code-flow.ts';
import { postFrom } from './forwarded.ts';
import { PageClient, inputValue, isInteraction, signInOnly } from './hosted-flow.ts';
import type { RpClient } from './rp.ts';
import type { TestServer } from './server.ts';

/**
 * Two-step verification helpers: a person with a password, set up with an
 * authenticator app through the account console's own pages (the test reads
 * the key off the page and plays the app with otplib), and a sign-in that
 * stops at the second step.
 */
export type Person = { id: string; email: string; password: string };

const PASSWORD_HASH = hashPassword('correct horse battery staple');

export async function personWithPassword(server: TestServer, fields: Record<string, unknown> = {}): Promise<Person> {
  const email = `two-step-${randomBytes(5).toString('hex')}@example.com`;
  const id = await server.createUser({ email, password_hash: await PASSWORD_HASH, ...fields });
  return { id, email, password: 'correct horse battery staple' };
}

/** The code the app shows `steps` time steps from now (30 s each). */
export const totpCode = (seed: string, steps = 0): Promise<string> => generate({ secret: seed, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

/** The recovery codes listed on a page. */
export const recoveryCodesOn = (page: string): string[] => [...page.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((match) => match[1]!);

/** A console session for `userId` (the login prompt finished in process), on `path`. */
export async function consoleAt(server: TestServer, userId: string, path = '/account/two-step'): Promise<{ browser: PageClient; page: string }> {
  const browser = new PageClient(server.issuer);
  const toLogin = await browser.follow(path, isInteraction);
  const landed = await browser.follow(await signInOnly(server, toLogin.url, userId));
  expect(landed.url.pathname).toBe(path);
  return { browser, page: await landed.response!.text() };
}

/** Sets the app up in the console: reads the key, confirms with the current code; returns the key and the ten recovery codes shown. */
export async function enrolInConsole(server: TestServer, userId: string): Promise<{ seed: string; codes: string[]; browser: PageClient }> {
  const { browser } = await consoleAt(server, userId);
  const setup = await (await browser.get('/account/two-step/setup')).text();
  const seed = /id="totp-secret"[^>]*>([^<]+)</.exec(setup)![1]!.replace(/\s/g, '');
  const confirmed = await browser.post('/account/two-step/setup', { csrf: inputValue(setup, 'csrf'), code: await totpCode(seed) });
  expect(confirmed.status).toBe(200);
  const codes = recoveryCodesOn(await confirmed.text());
  expect(codes).toHaveLength(10);
  return { seed, codes, browser };
}

/** Signs in with the password from `ip` and stops at the second-factor page. */
export async function atSecondStep(server: TestServer, person: Person, ip: string): Promise<Flow> {
  const flow = await startFlow(server);
  const answer = await postFrom(flow, ip, `/interaction/${flow.uid}/password`, { email: person.email, password: person.password });
  expect(answer.status).toBe(303);
  expect(answer.headers.get('location')).toBe(`/interaction/${flow.uid}/mfa`);
  await answer.arrayBuffer();
  return flow;
}

/**
 * Follows a console action's step-up (max_age=0, acr_values=aal2) through
 * the real sign-in pages: password, then a code from the app (`steps` ahead),
 * back to the console. Returns where it landed, and what the sign-in pages asked.
 */
export async function stepUpInConsole(
  browser: PageClient,
  refused: Response,
  person: Person,
  code: () => Promise<string>,
): Promise<{ authorize: URL; landed: Awaited<ReturnType<PageClient['follow']>>; askedForSecondStep: boolean }> {
  expect(refused.status).toBe(303);
  const authorize = new URL(refused.headers.get('location')!, browser.base);
  const toLogin = await browser.followFrom(refused, isInteraction);
  const uid = toLogin.url.pathname.split('/')[2]!;
  const signInPage = await (await browser.get(toLogin.url)).text();
  const csrf = inputValue(signInPage, 'csrf');
  const password = await browser.post(`/interaction/${uid}/password`, { csrf, email: person.email, password: person.password });
  expect(password.status).toBe(303);
  const askedForSecondStep = password.headers.get('location') === `/interaction/${uid}/mfa`;
  if (!askedForSecondStep) return { authorize, landed: await browser.followFrom(password), askedForSecondStep };
  await password.arrayBuffer();
  const second = await browser.post(`/interaction/${uid}/totp`, { csrf, code: await code() });
  expect(second.status).toBe(303);
  return { authorize, landed: await browser.followFrom(second), askedForSecondStep };
}

/** An app's authorization request (first-party: no consent page) opened in a new browser, stopped at the sign-in page. */
export async function appSignIn(client: RpClient, issuer: string, parameters: Record<string, string> = {}) {
  const browser = new PageClient(issuer);
  const request = await client.authorizationRequest(parameters);
  const start = await browser.follow(request.url, isInteraction);
  const uid = start.url.pathname.split('/')[2]!;
  const csrf = inputValue(await (await browser.get(start.url)).text(), 'csrf');
  return { browser, request, uid, csrf };
}

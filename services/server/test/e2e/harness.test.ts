import { createTransport } from 'nodemailer';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../support/browser.ts';
import { hasChromium, launchChromium, openTab } from '../support/chromium.ts';
import { startRelyingParty, type RelyingParty } from '../support/rp.ts';
import { extractCode, startMailCatcher, type MailCatcher } from '../support/smtp.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The e2e tools themselves: if these fail, the page tests' failures mean nothing.
describe('e2e harness', () => {
  let mail: MailCatcher;
  let rp: RelyingParty;
  let server: TestServer;
  beforeAll(async () => {
    [mail, rp, server] = await Promise.all([startMailCatcher(), startRelyingParty(), startTestServer()]);
  });
  afterAll(async () => {
    await Promise.all([mail?.close(), rp?.close(), server?.stop()]);
  });

  it('the SMTP catcher receives a nodemailer message on a plain smtp:// URL and finds its code', async () => {
    const transport = createTransport(mail.url);
    const waiting = mail.nextMailTo('Ada@Example.com');
    await transport.sendMail({ from: 'a@localhost', to: 'ada@example.com', subject: 'Your code', text: 'Your code is 123 456.', html: '<p>Your code is <b>123456</b></p>' });
    const message = await waiting;
    expect(message.subject).toBe('Your code');
    expect(extractCode(message)).toBe('123456');
    await expect(mail.nextMailTo('ada@example.com', 200)).rejects.toThrow(/no mail/);
    expect(() => extractCode({ ...message, text: 'no code here' })).toThrow();
  });

  it('the relying party exchanges a code and checks the ID token signature against the JWKS', async () => {
    const app = await rp.register(server);
    const userId = await server.createUser();
    const request = await app.authorizationRequest();
    const callback = await authorize(request.url, userId, rp.callbackUrl);
    const tokens = await app.finish(callback, request);
    expect(tokens.claims()?.sub).toBe(userId);
    expect(client.getJwksCache(app.config)).toBeDefined(); // the JWKS was fetched to check the signature

    // The same RP refuses an ID token whose signature was altered in transit.
    app.config[client.customFetch] = async (url, init) => {
      const response = await fetch(url, init);
      if (!String(url).endsWith('/token')) return response;
      const body = (await response.json()) as { id_token: string };
      const [header, payload, signature] = body.id_token.split('.');
      const flipped = signature!.slice(0, 10) + (signature![10] === 'A' ? 'B' : 'A') + signature!.slice(11);
      body.id_token = [header, payload, flipped].join('.');
      return new Response(JSON.stringify(body), { status: response.status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
    };
    const second = await app.authorizationRequest();
    const callback2 = await authorize(second.url, userId, rp.callbackUrl);
    const error = await app.finish(callback2, second).catch((e: unknown) => e);
    expect(String((error as Error).cause ?? error)).toMatch(/signature/i);
  });

  it.skipIf(!hasChromium)('launches Chromium, loads a provider page, and catches CSP violations and broken assets', async () => {
    const browser = await launchChromium();
    try {
      const tab = await openTab(browser);
      const response = await tab.page.goto(`${server.issuer}/.well-known/openid-configuration`);
      expect(response?.status()).toBe(200);
      expect(await tab.page.content()).toContain(server.issuer);
      expect(tab.problems).toEqual([]);

      // A page under a strict CSP with an inline script and a missing stylesheet: both must be reported.
      await tab.page.route(`${rp.origin}/csp`, (route) =>
        route.fulfill({
          status: 200,
          headers: { 'content-type': 'text/html', 'content-security-policy': "default-src 'self'" },
          body: `<!doctype html><link rel="stylesheet" href="/missing.css"><script>document.title = 'x'</script><p>hi</p>`,
        }),
      );
      await tab.page.route(`${rp.origin}/missing.css`, (route) => route.fulfill({ status: 404, body: '' }));
      await tab.page.goto(`${rp.origin}/csp`);
      await tab.page.waitForLoadState('networkidle');
      expect(tab.problems.join('\n')).toMatch(/Content Security Policy/);
      expect(tab.problems.join('\n')).toMatch(/stylesheet .*missing\.css answered 404/);
      await tab.close();
    } finally {
      await browser.close();
    }
  });
});

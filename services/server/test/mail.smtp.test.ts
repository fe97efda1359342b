import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/env.ts';
import { createLogger } from '../src/http/logger.ts';
import { createMailer, type Mailer } from '../src/mail/mailer.ts';
import { codeMail } from '../src/verification/code-mail.ts';
import { extractCode, startMailCatcher, type MailCatcher } from './support/smtp.ts';

describe('mail over SMTP_URL, received by a real SMTP server', () => {
  let catcher: MailCatcher;
  let mailer: Mailer;
  const config = () =>
    loadConfig({ NODE_ENV: 'test', SMTP_URL: catcher.url, MAIL_FROM: 'Acme ID <id@acme.test>', LATCHKEY_PRODUCT_NAME: 'Acme ID', LATCHKEY_BRAND_COLOR: '#aa3300' });

  beforeAll(async () => {
    catcher = await startMailCatcher();
    mailer = createMailer({ config: config(), logger: createLogger({ level: 'silent' }) });
  });
  afterAll(async () => {
    await mailer?.close();
    await catcher?.close();
  });

  it('uses SMTP and keeps no dev mailbox', () => {
    expect(mailer.kind).toBe('smtp');
    expect(mailer.mailbox).toBeUndefined();
  });

  it('delivers a code mail with a text and an HTML part, from MAIL_FROM, branded', async () => {
    const mail = codeMail({ brand: config().brand, to: 'Ada@Example.com', purpose: 'sign_in', code: '042137', minutes: 10 });
    await mailer.send(mail);
    const received = await catcher.nextMailTo('ada@example.com');
    expect(received.from).toBe('id@acme.test');
    expect(received.raw).toMatch(/^From: Acme ID <id@acme\.test>/m);
    expect(received.raw).toMatch(/Content-Type: multipart\/alternative/i);
    expect(received.raw).toMatch(/Content-Type: text\/plain/i);
    expect(received.raw).toMatch(/Content-Type: text\/html/i);
    expect(received.subject).toBe('Your Acme ID code: 042137');
    expect(extractCode(received)).toBe('042137');
    expect(received.text).toContain('Use this code to sign in to Acme ID');
    expect(received.text).toContain('It expires in 10 minutes.');
    expect(received.html).toContain('Use this code to sign in to Acme ID');
    expect(received.html).toContain('#aa3300');
  });

  it('each purpose has its own wording', async () => {
    const brand = config().brand;
    await mailer.send(codeMail({ brand, to: 'v@example.com', purpose: 'verify_email', code: '111222', minutes: 10 }));
    await mailer.send(codeMail({ brand, to: 'r@example.com', purpose: 'reset_password', code: '333444', minutes: 10 }));
    expect((await catcher.nextMailTo('v@example.com')).text).toContain('confirm your email address for Acme ID');
    expect((await catcher.nextMailTo('r@example.com')).text).toContain('reset your Acme ID password');
  });

  it('escapes the product name in the HTML part', async () => {
    const brand = { ...config().brand, productName: 'Acme <script>' };
    await mailer.send(codeMail({ brand, to: 'x@example.com', purpose: 'sign_in', code: '555666', minutes: 10 }));
    const received = await catcher.nextMailTo('x@example.com');
    expect(received.html).not.toContain('<script>');
    expect(received.html).toContain('Acme &#60;script&#62;');
  });

  it('send rejects when the SMTP server cannot be reached', async () => {
    const dead = createMailer({
      config: loadConfig({ NODE_ENV: 'test', SMTP_URL: 'smtp://127.0.0.1:1' }),
      logger: createLogger({ level: 'silent' }),
    });
    await expect(dead.send({ to: 'a@example.com', subject: 's', text: 't', html: '<p>t</p>' })).rejects.toThrow();
    await dead.close();
  });
});

import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/env.ts';
import { createLogger } from '../src/http/logger.ts';
import { createDevMailbox } from '../src/mail/dev-mailbox.ts';
import { createMailer } from '../src/mail/mailer.ts';
import { startServer } from '../src/server.ts';
import { requestCode } from './support/email-code-flow.ts';
import { runCli } from './support/process.ts';
import { type MailTestServer, type TestServer, startTestServer, startTestServerWithMail } from './support/server.ts';

const silent = createLogger({ level: 'silent' });
const production = { NODE_ENV: 'production', LATCHKEY_ISSUER: 'https://id.example.com', LATCHKEY_SECRETS: 'x'.repeat(32) };

describe('without SMTP_URL', () => {
  it('production refuses to start, naming SMTP_URL', async () => {
    const config = loadConfig(production);
    expect(() => createMailer({ config, logger: silent })).toThrow(ConfigError);
    expect(() => createMailer({ config, logger: silent })).toThrow(/SMTP_URL is required when NODE_ENV=production/);
    // startServer refuses before it opens anything.
    await expect(startServer({ config, logger: silent, port: 0 })).rejects.toThrow(/SMTP_URL/);
  });

  it('`latchkey start` in production without SMTP_URL exits 2 with a message naming it', async () => {
    const result = await runCli(['start'], { ...production, LATCHKEY_DATA_DIR: '/nonexistent/latchkey-should-not-be-created' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SMTP_URL is required when NODE_ENV=production');
  });

  it('production with SMTP_URL is fine', () => {
    expect(createMailer({ config: loadConfig({ ...production, SMTP_URL: 'smtp://127.0.0.1:2525' }), logger: silent }).kind).toBe('smtp');
  });

  it('development keeps mail in memory and logs that it did, without the body', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const mailer = createMailer({ config: loadConfig({ NODE_ENV: 'development' }), logger: createLogger({ level: 'info', destination }) });
    expect(mailer.kind).toBe('dev');
    await mailer.send({ to: 'a@example.com', subject: 'Hello', text: 'secret body 123456', html: '<p>secret body 123456</p>' });
    expect(mailer.mailbox!.list()).toMatchObject([{ to: 'a@example.com', subject: 'Hello', text: 'secret body 123456' }]);
    expect(lines.join('')).toContain('mail kept in dev mailbox');
    expect(lines.join('')).not.toContain('secret body');
  });

  it('the mailbox keeps the latest 50, newest first', () => {
    const box = createDevMailbox();
    for (let i = 1; i <= 60; i += 1) box.add({ to: `u${i}@example.com`, subject: `#${i}`, text: '', html: '' });
    const list = box.list();
    expect(list).toHaveLength(50);
    expect(list[0]!.subject).toBe('#60');
    expect(list.at(-1)!.subject).toBe('#11');
  });
});

describe('GET /dev/mailbox', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Markup in the product name reaches the page through every mail's subject and body.
    server = await startTestServer({ env: { LATCHKEY_PRODUCT_NAME: '<b>Acme</b>' } });
  });
  afterAll(() => server?.stop());

  it('lists kept mail, recent first, escaped, on a page with the strict CSP', async () => {
    const empty = await fetch(`${server.url}/dev/mailbox`);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toContain('No mail yet.');

    // Mail reaches the mailbox through the real path: an email-code request on an interaction.
    await server.createUser({ email: 'first@example.com' });
    await server.createUser({ email: 'second@example.com' });
    await requestCode(server, 'first@example.com');
    await requestCode(server, 'second@example.com');

    const response = await fetch(`${server.url}/dev/mailbox`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const page = await response.text();
    expect(page).not.toContain('<b>Acme</b>');
    expect(page).toContain('&#60;b&#62;Acme&#60;/b&#62;');
    expect(page.indexOf('second@example.com')).toBeLessThan(page.indexOf('first@example.com'));
    expect(page).toMatch(/Use this code to sign in to &#60;b&#62;Acme&#60;\/b&#62;:\s+\d{6}/);
  });
});

describe('GET /dev/mailbox with SMTP_URL set', () => {
  let server: MailTestServer;
  beforeAll(async () => {
    server = await startTestServerWithMail();
  });
  afterAll(() => server?.stop());

  it('does not exist', async () => {
    const response = await fetch(`${server.url}/dev/mailbox`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('mailbox');
  });
});

describe('dev mailbox seen from another machine', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Behind a trusted local proxy the client address is the forwarded one.
    server = await startTestServer({ env: { LATCHKEY_TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => server?.stop());

  it('does not exist for a client that is not this machine', async () => {
    expect((await fetch(`${server.issuer}/dev/mailbox`)).status).toBe(200);
    const remote = await fetch(`${server.issuer}/dev/mailbox`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(remote.status).toBe(404);
  });
});

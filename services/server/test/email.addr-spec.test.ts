import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startFlow } from './support/email-code-flow.ts';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';
import { runCli } from './support/process.ts';
import { startTestServerWithMail, type MailTestServer } from './support/server.ts';
import { extractCode } from './support/smtp.ts';

/**
 * Attack: an "address" that mail software parses into a different recipient
 * (`"alice"<attacker@evil.example>`, group syntax, comments, lists). The code
 * would go to the attacker while the account, and userinfo, vouch for the
 * wrapper string. Only a plain addr-spec is an address.
 */
const ATTACKER = 'attacker@evil.example';
const NOT_ADDRESSES = [
  `"alice"<${ATTACKER}>`,
  `alice <${ATTACKER}>`,
  `<${ATTACKER}>`,
  `g: ${ATTACKER};`,
  `g:${ATTACKER};`,
  `${ATTACKER} (alice)`,
  `(alice)${ATTACKER}`,
  `"attacker"@evil.example`,
  `"a b"@evil.example`,
  `alice@example.com,${ATTACKER}`,
];
const MESSAGE = 'Enter an email address like name@example.com';
const PASSWORD = 'plum tree harbour lantern';

describe('email addresses are plain addr-specs', () => {
  let s: MailTestServer;
  beforeAll(async () => {
    s = await startTestServerWithMail();
  });
  afterAll(() => s?.stop());

  it.each(NOT_ADDRESSES)('refuses %j on sign-up, code request, password reset and sign-in, and mails nobody', async (email) => {
    const flow = await startFlow(s);
    const forms: Array<[string, Record<string, string>]> = [
      [`/interaction/${flow.uid}/signup`, { email, password: PASSWORD, name: 'Alice' }],
      [`/interaction/${flow.uid}/email-code`, { email }],
      [`/interaction/${flow.uid}/reset`, { email }],
      [`/interaction/${flow.uid}/password`, { email, password: PASSWORD }],
    ];
    for (const [path, fields] of forms) {
      const response = await post(flow, path, fields);
      const page = await response.text();
      expect(response.status, path).toBe(400);
      // Escaped in the page, named as the problem, never a stack trace.
      expect(page, path).toContain(MESSAGE);
      expect(page).not.toMatch(/at .*\.ts:\d+/);
    }
    expect(await s.db.knex('users').whereRaw('lower(email) like ?', ['%evil.example%'])).toEqual([]);
    expect(await s.db.knex('verification_codes').whereRaw('target like ?', ['%evil.example%'])).toEqual([]);
  });

  it('a plain address is mailed at exactly that address, and the wrapped one never got mail', async () => {
    const email = `plain-${process.pid}@example.com`;
    const flow = await startFlow(s);
    expect((await post(flow, `/interaction/${flow.uid}/signup`, { email, password: PASSWORD, name: 'Plain' })).status).toBe(303);
    const mail = await s.mail.nextMailTo(email);
    expect(mail.to).toEqual([email]);
    expect(mail.raw).toMatch(new RegExp(`^To: ${email.replace(/[.+]/g, '\\$&')}\\r?$`, 'm'));
    const done = await post(flow, `/interaction/${flow.uid}/signup/verify`, { code: extractCode(mail) });
    expect(done.status).toBe(303);
    expect(await s.db.knex('users').where({ email }).first()).toMatchObject({ email_verified: true });
    // Mail goes out in the background: by now anything the refused requests queued would have arrived.
    expect(s.mail.messages.filter((m) => m.to.some((to) => to.includes('evil.example')))).toEqual([]);
  });
});

describe.skipIf(!realDatabaseUrl)('the CLI takes only plain addresses', () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await freshPostgres();
    env = { DATABASE_URL: db.url, LATCHKEY_SECRETS: 'x'.repeat(43), LATCHKEY_ISSUER: 'https://id.example.com' };
  });
  afterAll(() => db?.close());

  it.each([
    ['users', 'create', '--email'],
    ['invitations', 'create', '--email'],
  ])('%s %s %s refuses a display name or group with one clear line and exit 2', async (...command) => {
    for (const email of [`"alice"<${ATTACKER}>`, `g: ${ATTACKER};`]) {
      const result = await runCli([...command, email, '--json'], env);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/--email must be an email address like name@example.com/);
    }
    expect(await db.knex('users').whereRaw('email like ?', ['%evil.example%'])).toEqual([]);
    expect(await db.knex('invitations').whereRaw('email like ?', ['%evil.example%'])).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startFlow } from './support/email-code-flow.ts';
import { type MailTestServer, startTestServerWithMail } from './support/server.ts';
import { type MailCatcher } from './support/smtp.ts';

/**
 * Postgres lower() folds 'İ' (U+0130) to 'i', JavaScript does not: a
 * look-alike address must never reach another person's account, nor have
 * that account's codes mailed to the look-alike inbox.
 */
describe('look-alike email addresses', () => {
  let server: MailTestServer;
  let catcher: MailCatcher;
  beforeAll(async () => {
    server = await startTestServerWithMail();
    catcher = server.mail;
  });
  afterAll(() => server?.stop());

  const noEventsFor = async (userId: string) =>
    expect(await server.db.knex('audit_events').where({ subject_id: userId }).whereIn('type', ['sign_in.success', 'password.reset'])).toEqual([]);

  it.each([
    ['email-code sign-in', (uid: string) => `/interaction/${uid}/email-code`, {}],
    ['password reset', (uid: string) => `/interaction/${uid}/reset`, {}],
    ['sign-up', (uid: string) => `/interaction/${uid}/signup`, { password: 'a long enough passphrase', name: 'Mallory' }],
  ])('%s refuses the address and mails nothing', async (_name, path, extra) => {
    const local = `victim-${Math.random().toString(36).slice(2)}`;
    const victim = await server.createUser({ email: `${local}@gmail.com` });
    const flow = await startFlow(server);
    const before = catcher.messages.length;
    const response = await post(flow, path(flow.uid), { email: `${local}@gmaİl.com`, ...extra });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Enter an email address like name@example.com');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(catcher.messages.length).toBe(before);
    await noEventsFor(victim);
  });
});

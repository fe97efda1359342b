import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password/hash.ts';
import { startFlow, type Flow } from './support/email-code-flow.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * checkAccount: a blocked, deleted or operator-locked account with the right
 * password fails exactly like a wrong password — same status, same page —
 * so nobody learns which accounts exist or are blocked. The audit log keeps
 * the real reason.
 */
const PASSWORD = 'the right passphrase here';
let n = 0;
const address = (label: string) => `${label}-${process.pid}-${(n += 1)}@example.com`;

async function signIn(flow: Flow, email: string, password: string): Promise<{ status: number; page: string }> {
  const response = await fetch(new URL(`/interaction/${flow.uid}/password`, flow.server.url), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: flow.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: flow.csrf, email, password }).toString(),
  });
  flow.jar.store(response);
  return { status: response.status, page: await response.text() };
}

// The pages differ only in what each flow brings: its uid, CSRF token, client and the address typed.
const normalized = (page: string, flow: Flow) =>
  page
    .replaceAll(flow.uid, 'UID')
    .replaceAll(flow.csrf, 'CSRF')
    .replace(/client-[\w-]+/g, 'CLIENT')
    .replace(/value="[^"]*@example\.com"/, 'value="EMAIL"');

describe('sign-in account checks', () => {
  let server: TestServer;
  let hash: string;
  beforeAll(async () => {
    [server, hash] = await Promise.all([startTestServer(), hashPassword(PASSWORD)]);
  }, 60_000);
  afterAll(() => server?.stop());

  it.each([
    // The password method already refuses inactive accounts itself; checkAccount is the backstop every method gets.
    ['blocked', { status: 'blocked' }, /^(credentials|account_blocked)$/],
    ['deleted', { status: 'deleted', deleted_at: new Date() }, /^(credentials|account_deleted)$/],
    ['locked by an operator', { locked_until: new Date(Date.now() + 3600_000) }, /^account_locked$/],
  ])('a %s account with the right password gets the wrong-password answer', async (_label, fields, reason) => {
    const email = address('unusable');
    const id = await server.createUser({ email, password_hash: hash, ...fields });
    const wrongFlow = await startFlow(server);
    const wrong = await signIn(wrongFlow, address('missing'), 'not a real password');
    const rightFlow = await startFlow(server);
    const right = await signIn(rightFlow, email, PASSWORD);

    expect(right.status).toBe(wrong.status);
    expect(normalized(right.page, rightFlow)).toBe(normalized(wrong.page, wrongFlow));
    expect(right.page).toContain('That email and password do not match an account');
    // No session was started for it.
    expect(await server.db.knex('sessions').where({ user_id: id }).first()).toBeUndefined();
    const audit = await server.db.knex('audit_events').where({ type: 'sign_in.failure', subject_id: id }).first();
    expect(audit.data.reason).toMatch(reason);
  });

  it('an expired operator lock no longer stops the right password', async () => {
    const email = address('unlocked');
    await server.createUser({ email, password_hash: hash, locked_until: new Date(Date.now() - 1000) });
    const flow = await startFlow(server);
    expect((await signIn(flow, email, PASSWORD)).status).toBe(303);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitation } from '../src/accounts/invitations.ts';
import { hashPassword, verifyPassword } from '../src/password/hash.ts';
import { CookieJar } from './support/browser.ts';
import { get, post, startFlow, type Flow } from './support/email-code-flow.ts';
import { type TestServer, canUseRealServices, startTestServerWithMail } from './support/server.ts';
import { extractCode, type MailCatcher } from './support/smtp.ts';

let n = 0;
const address = (label: string) => `${label}-${process.pid}-${(n += 1)}@example.com`;
const PASSWORD = 'plum tree harbour lantern';
const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
const user = (server: TestServer, email: string) => server.db.knex('users').whereRaw('lower(email) = lower(?)', [email]).first();

type Server = { server: TestServer; catcher: MailCatcher };
async function start(backend: 'pglite' | 'postgres', env: Record<string, string> = {}): Promise<Server> {
  const server = await startTestServerWithMail({ backend, env });
  return { server, catcher: server.mail };
}
async function stop(s: Server | undefined) {
  await s?.server.stop();
}

const signUp = (flow: Flow, fields: Record<string, string>) => post(flow, `/interaction/${flow.uid}/signup`, { name: 'Ada Lovelace', password: PASSWORD, ...fields });
const verify = (flow: Flow, code: string) => post(flow, `/interaction/${flow.uid}/signup/verify`, { code });

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

describe.each(backends)('open sign-up over HTTP (%s)', (backend) => {
  let s: Server;
  beforeAll(async () => {
    s = await start(backend);
  });
  afterAll(() => stop(s));

  it('the sign-in page links to sign-up; the sign-up form has labelled fields with the right autocomplete tokens', async () => {
    const flow = await startFlow(s.server);
    const signIn = await (await get(flow, `/interaction/${flow.uid}`)).text();
    expect(signIn).toContain(`href="/interaction/${flow.uid}/signup"`);
    const response = await get(flow, `/interaction/${flow.uid}/signup`);
    expect(response.status).toBe(200);
    const page = await response.text();
    for (const [name, token] of [['email', 'email'], ['name', 'name'], ['password', 'new-password']]) {
      expect(page).toMatch(new RegExp(`<label for="${name}">`));
      expect(page).toMatch(new RegExp(`<input id="${name}" name="${name}"[^>]*autocomplete="${token}"`));
    }
    expect(page).not.toContain('name="invitation"');
    expect(page).toContain('name="csrf"');
  });

  it('creates an unverified account without a usable password, mails a code, and the code finishes sign-up and signs in', async () => {
    const email = address('new');
    const flow = await startFlow(s.server);
    const response = await signUp(flow, { email });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/interaction/${flow.uid}/signup/verify`);

    const row = await user(s.server, email);
    expect(row).toMatchObject({ email, email_verified: false, display_name: 'Ada Lovelace', password_hash: null, status: 'active' });

    const page = await (await get(flow, `/interaction/${flow.uid}/signup/verify`)).text();
    expect(page).toContain(`We sent a code to ${email}`);
    expect(page).toMatch(/autocomplete="one-time-code"/);
    const mail = await s.catcher.nextMailTo(email);
    expect(mail.text).toContain('confirm your email address');
    const code = extractCode(mail);

    const wrong = await verify(flow, code === '000000' ? '111111' : '000000');
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('That code is wrong or has expired');
    expect((await user(s.server, email)).email_verified).toBe(false);

    const right = await verify(flow, code);
    expect(right.status).toBe(303);
    // Signed in; "Add a passkey?" comes before the app (passkeys/after-sign-up.ts).
    expect(right.headers.get('location')).toBe(`/interaction/${flow.uid}/passkey/offer`);
    const done = await user(s.server, email);
    expect(done.email_verified).toBe(true);
    expect(await verifyPassword(done.password_hash, PASSWORD)).toBe(true);
    const events = await s.server.db.knex('audit_events').where({ subject_id: done.id }).orderBy('occurred_at').pluck('type');
    expect(events).toEqual(expect.arrayContaining(['sign_up', 'email.verified']));
  });

  it('refuses a weak password next to the field, and writes nothing', async () => {
    const email = address('weak');
    const flow = await startFlow(s.server);
    for (const [password, message] of [['short', 'Use at least 8 characters'], ['password1', 'too common'], [email, 'too common']] as const) {
      const response = await signUp(flow, { email, password });
      expect(response.status).toBe(400);
      const page = await response.text();
      expect(page).toContain(message);
      expect(page).toMatch(/<input id="password"[^>]*aria-invalid="true"/);
      expect(page).toContain('role="alert"');
    }
    expect(await user(s.server, email)).toBeUndefined();
  });

  it('answers an address that already has an account exactly as a new one, and mails its owner a sign-in code instead', async () => {
    const taken = address('taken');
    const fresh = address('fresh');
    const ownerHash = await hashPassword('the owners own password');
    const ownerId = await s.server.createUser({ email: taken, password_hash: ownerHash });
    const before = await s.server.db.knex('users').count({ n: '*' }).first();

    const flowA = await startFlow(s.server);
    const flowB = await startFlow(s.server);
    const a = await signUp(flowA, { email: taken.toUpperCase() });
    const b = await signUp(flowB, { email: fresh });
    expect(a.status).toBe(b.status);
    expect(a.headers.get('location')!.replace(flowA.uid, 'UID')).toBe(b.headers.get('location')!.replace(flowB.uid, 'UID'));
    const pageA = await (await get(flowA, `/interaction/${flowA.uid}/signup/verify`)).text();
    const pageB = await (await get(flowB, `/interaction/${flowB.uid}/signup/verify`)).text();
    const scrub = (page: string, flow: Flow, email: string) => page.replaceAll(flow.uid, 'UID').replaceAll(email, 'EMAIL').replace(/value="[^"]+"/g, '');
    expect(scrub(pageA, flowA, taken.toUpperCase())).toBe(scrub(pageB, flowB, fresh));

    // No second account, and the owner's password is untouched.
    expect(await s.server.db.knex('users').count({ n: '*' }).first()).toEqual({ n: Number((before as { n: number | string }).n) + 1 });
    const mail = await s.catcher.nextMailTo(taken);
    expect(mail.text).toContain('sign in');
    await s.catcher.nextMailTo(fresh);

    // The owner can use that code to sign in; their password stays theirs.
    const response = await verify(flowA, extractCode(mail));
    expect(response.status).toBe(303);
    expect((await user(s.server, taken)).password_hash).toBe(ownerHash);
    expect((await user(s.server, taken)).id).toBe(ownerId);
  });

  it('a sign-up nobody confirmed gives no way in with its password, and the real owner can still claim the address', async () => {
    const victim = address('victim');
    const attacker = await startFlow(s.server);
    expect((await signUp(attacker, { email: victim, password: 'attacker chosen secret' })).status).toBe(303);
    await s.catcher.nextMailTo(victim); // the attacker never sees it

    const signIn = await startFlow(s.server);
    const tryPassword = await post(signIn, `/interaction/${signIn.uid}/password`, { email: victim, password: 'attacker chosen secret' });
    expect(tryPassword.status).toBe(401);

    const owner = await startFlow(s.server);
    expect((await signUp(owner, { email: victim, password: 'the real owners passphrase' })).status).toBe(303);
    expect((await verify(owner, extractCode(await s.catcher.nextMailTo(victim)))).status).toBe(303);
    const row = await user(s.server, victim);
    expect(await verifyPassword(row.password_hash, 'the real owners passphrase')).toBe(true);
    expect(await verifyPassword(row.password_hash, 'attacker chosen secret')).toBe(false);
  });

  it('"Send a new code" mails a fresh code and retires the old one', async () => {
    const email = address('resend');
    const flow = await startFlow(s.server);
    expect((await signUp(flow, { email })).status).toBe(303);
    const first = extractCode(await s.catcher.nextMailTo(email));
    const resent = await post(flow, `/interaction/${flow.uid}/signup/resend`, {});
    expect(resent.status).toBe(303);
    expect(resent.headers.get('location')).toBe(`/interaction/${flow.uid}/signup/verify`);
    const second = extractCode(await s.catcher.nextMailTo(email));
    if (first !== second) expect((await verify(flow, first)).status).toBe(400);
    expect((await verify(flow, second)).status).toBe(303);
    expect((await user(s.server, email)).email_verified).toBe(true);
  });

  it('a code from one flow does not finish another flow\'s sign-up', async () => {
    const email = address('twoflows');
    const mine = await startFlow(s.server);
    const theirs = await startFlow(s.server);
    expect((await signUp(mine, { email })).status).toBe(303);
    const code = extractCode(await s.catcher.nextMailTo(email));
    // Another browser with no pending sign-up is sent back to the form.
    const other = await verify(theirs, code);
    expect(other.status).toBe(303);
    expect(other.headers.get('location')).toBe(`/interaction/${theirs.uid}/signup`);
    expect((await user(s.server, email)).email_verified).toBe(false);
  });

  it('refuses a POST without the CSRF token', async () => {
    const flow = await startFlow(s.server);
    const email = address('csrf');
    const response = await post({ ...flow, csrf: 'forged' }, `/interaction/${flow.uid}/signup`, { email, password: PASSWORD });
    expect(response.status).toBe(403);
    expect(await user(s.server, email)).toBeUndefined();
  });
});

describe('invitation-only sign-up (LATCHKEY_SIGNUP=invite)', () => {
  let s: Server;
  beforeAll(async () => {
    s = await start('pglite', { LATCHKEY_SIGNUP: 'invite' });
  });
  afterAll(() => stop(s));

  const invite = (input: { email?: string; scopes?: string[] } = {}) =>
    createInvitation({ knex: s.server.db.knex, keyring: s.server.keyring, issuer: s.server.issuer }, { expiresInSeconds: 3600, ...input });

  it('asks for the code, refuses a missing or wrong one, and grants the invitation\'s scopes', async () => {
    const flow = await startFlow(s.server);
    const form = await (await get(flow, `/interaction/${flow.uid}/signup`)).text();
    expect(form).toMatch(/<input id="invitation" name="invitation"/);

    const email = address('invited');
    const missing = await signUp(flow, { email });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('Enter the code from your invitation');
    const wrong = await signUp(flow, { email, invitation: 'not-a-real-code' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('That invitation code is not valid');
    expect(await user(s.server, email)).toBeUndefined();

    const { code } = await invite({ scopes: ['beta'] });
    const ok = await signUp(flow, { email, invitation: code });
    expect(ok.status).toBe(303);
    // The account (and the invitation's use) waits for the emailed code.
    expect(await user(s.server, email)).toBeUndefined();
    const proved = await verify(flow, extractCode(await s.catcher.nextMailTo(email)));
    expect(proved.status).toBe(303);
    expect((await user(s.server, email)).scopes).toEqual(['beta']);
    const again = await signUp(await startFlow(s.server), { email: address('second'), invitation: code });
    expect(again.status).toBe(400);
  });

  it('the invitation link opens a stand-alone sign-up that ends with a confirmed account', async () => {
    const email = address('linked');
    const { url } = await invite({ email });
    const jar = new CookieJar();
    const open = await fetch(url.replace(s.server.issuer, s.server.url), { headers: { cookie: jar.header() } });
    jar.store(open);
    const form = await open.text();
    const code = new URL(url).searchParams.get('invitation')!;
    expect(open.status).toBe(200);
    expect(form).toContain(`value="${code}"`);

    const submit = (path: string, fields: Record<string, string>) =>
      fetch(`${s.server.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf: csrfOf(form), ...fields }).toString(),
      }).then((response) => (jar.store(response), response));

    const bound = await submit('/signup', { email: address('other'), password: PASSWORD, invitation: code });
    expect(bound.status).toBe(400);
    const created = await submit('/signup', { email, password: PASSWORD, invitation: code });
    expect(created.status).toBe(303);
    expect(created.headers.get('location')).toBe('/signup/verify');
    const done = await submit('/signup/verify', { code: extractCode(await s.catcher.nextMailTo(email)) });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Your account is ready');
    expect((await user(s.server, email)).email_verified).toBe(true);
  });
});

describe('closed sign-up (LATCHKEY_SIGNUP=closed)', () => {
  let s: Server;
  beforeAll(async () => {
    s = await start('pglite', { LATCHKEY_SIGNUP: 'closed' });
  });
  afterAll(() => stop(s));

  it('shows no sign-up link and refuses the form, even with an invitation', async () => {
    const flow = await startFlow(s.server);
    const signIn = await (await get(flow, `/interaction/${flow.uid}`)).text();
    expect(signIn).toContain('name="password"');
    expect(signIn).not.toContain('/signup');
    expect((await get(flow, `/interaction/${flow.uid}/signup`)).status).toBe(403);
    const { code } = await createInvitation({ knex: s.server.db.knex, keyring: s.server.keyring, issuer: s.server.issuer }, { expiresInSeconds: 60 });
    const email = address('closed');
    const response = await signUp(flow, { email, invitation: code });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('Sign-up is closed');
    expect(await user(s.server, email)).toBeUndefined();
  });
});

import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post, requestCode, startFlow, type Flow } from './support/email-code-flow.ts';
import { type MailTestServer, canUseRealServices, startTestServer, startTestServerWithMail } from './support/server.ts';
import { extractCode, type MailCatcher } from './support/smtp.ts';

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

let n = 0;
const address = (label: string) => `${label}-${process.pid}-${(n += 1)}@example.com`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe.each(backends)('passwordless sign-in with an email code (%s)', (backend) => {
  let server: MailTestServer;
  let catcher: MailCatcher;
  beforeAll(async () => {
    server = await startTestServerWithMail({ backend });
    catcher = server.mail;
  });
  afterAll(() => server?.stop());

  const verify = (flow: Flow, email: string, code: string) => post(flow, `/interaction/${flow.uid}/email-code/verify`, { email, code });

  it('answers a missing account with the same status and page as an existing one, and mails only the real one', async () => {
    const existing = address('known');
    const missing = address('nobody');
    await server.createUser({ email: existing });
    const flow = await startFlow(server);
    const known = await requestCode(server, existing, flow);
    const unknown = await requestCode(server, missing, flow);
    expect(known.response.status).toBe(200);
    expect(unknown.response.status).toBe(known.response.status);
    expect(unknown.response.headers.get('content-type')).toBe(known.response.headers.get('content-type'));
    expect(unknown.page.replaceAll(missing, 'EMAIL')).toBe(known.page.replaceAll(existing, 'EMAIL'));
    expect(known.page).toContain(`If an account exists for ${existing}, we have sent it a code.`);

    await catcher.nextMailTo(existing);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(catcher.messages.some((m) => m.to.includes(missing))).toBe(false);
  });

  it('a blocked account is answered like a missing one and gets no mail', async () => {
    const blocked = address('blocked');
    await server.createUser({ email: blocked, status: 'blocked' });
    const { response, page } = await requestCode(server, blocked);
    expect(response.status).toBe(200);
    expect(page).toContain(`If an account exists for ${blocked}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(catcher.messages.some((m) => m.to.includes(blocked))).toBe(false);
  });

  it('takes as long for a missing account as for an existing one, even when the SMTP server is slow', async () => {
    // A relay that takes 300 ms per message: waiting for it would show in the timing.
    const relay = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => setTimeout(() => callback(), 300));
      },
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', () => resolve()));
    const { port } = relay.server.address() as AddressInfo;
    const slow = await startTestServer({ backend, env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
    try {
      const flow = await startFlow(slow);
      const time = async (email: string) => {
        const start = performance.now();
        const { response } = await requestCode(slow, email, flow);
        expect(response.status).toBe(200);
        return performance.now() - start;
      };
      // A different address each time, so the per-address request limit never bites.
      const existing = async () => {
        const email = address('timed');
        await slow.createUser({ email });
        return email;
      };
      await time(await existing()); // warm up
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 7; i += 1) {
        known.push(await time(await existing()));
        unknown.push(await time(address('ghost')));
      }
      expect(Math.abs(median(known) - median(unknown))).toBeLessThan(150);
    } finally {
      await slow.stop();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    }
  });

  it('shows a code page with one one-time-code field', async () => {
    const { page } = await requestCode(server, address('form'));
    expect(page.match(/<input id="code"[^>]*>/g)).toHaveLength(1);
    const input = /<input id="code"[^>]*>/.exec(page)![0];
    expect(input).toContain('autocomplete="one-time-code"');
    expect(input).toContain('inputmode="numeric"');
    expect(page).toMatch(/<label for="code">Code from your email<\/label>/);
    expect(page).toContain('Send a new code');
  });

  it('a wrong code shows the error next to the field and in the announced summary', async () => {
    const email = address('wrong');
    await server.createUser({ email });
    const { flow } = await requestCode(server, email);
    const code = extractCode(await catcher.nextMailTo(email));
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const response = await verify(flow, email, wrong);
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('<p class="field-error" id="code-error">That code is wrong or has expired</p>');
    expect(page).toMatch(/<input id="code"[^>]*aria-invalid="true"[^>]*aria-describedby="code-hint code-error"/);
    expect(page).toMatch(/<div class="error-summary" role="alert"[\s\S]*<a href="#code">That code is wrong or has expired<\/a>/);
    // Not a format problem: letters are told apart from a wrong number.
    const letters = await (await verify(flow, email, 'abcdef')).text();
    expect(letters).toContain('Enter the 6 digits from the email');
  });

  it('the right code finishes the login (to consent) and marks the address verified', async () => {
    const email = address('right');
    const userId = await server.createUser({ email, email_verified: false });
    const { flow } = await requestCode(server, email.toUpperCase());
    const mail = await catcher.nextMailTo(email);
    expect(mail.subject).toMatch(/^Your Latchkey code: \d{6}$/);
    const code = extractCode(mail);

    const response = await verify(flow, email.toUpperCase(), `${code.slice(0, 3)} ${code.slice(3)}`);
    expect(response.status).toBe(303);
    const resume = new URL(response.headers.get('location')!, server.url);
    expect(resume.pathname).toBe(`/auth/${flow.uid}`);
    const next = await get(flow, resume.pathname);
    const consentUrl = new URL(next.headers.get('location')!, server.url);
    expect(consentUrl.pathname).toMatch(/^\/interaction\//);
    const interaction = (await server.providers.current.Interaction.find(consentUrl.pathname.split('/')[2]!)) as unknown as {
      prompt: { name: string };
      session?: { accountId?: string; amr?: string[] };
    };
    expect(interaction.prompt.name).toBe('consent');
    expect(interaction.session?.accountId).toBe(userId);

    const row = await server.db.knex('users').where({ id: userId }).first();
    expect(row.email_verified).toBe(true);
    expect(row.email_verified_at).toBeInstanceOf(Date);
    const events = await server.db.knex('audit_events').where({ type: 'email.verified', subject_id: userId });
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ via: 'email_code' });
    expect(JSON.stringify(events[0])).not.toContain(code);
  });

  it('a code from one flow does not sign in another flow', async () => {
    const email = address('bound');
    await server.createUser({ email });
    const a = await requestCode(server, email);
    const codeA = extractCode(await catcher.nextMailTo(email));
    const b = await requestCode(server, email);
    const codeB = extractCode(await catcher.nextMailTo(email));
    if (codeA !== codeB) expect((await verify(b.flow, email, codeA)).status).toBe(400);
    expect((await verify(a.flow, email, codeA)).status).toBe(303);
  });

  it('"Send a new code" mails a new one and the previous code stops working', async () => {
    const email = address('resend');
    await server.createUser({ email });
    const { flow } = await requestCode(server, email);
    const first = extractCode(await catcher.nextMailTo(email));
    const again = await post(flow, `/interaction/${flow.uid}/email-code`, { email, resend: '1' });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('we have sent it a new code. Earlier codes no longer work.');
    const second = extractCode(await catcher.nextMailTo(email));
    if (first !== second) expect((await verify(flow, email, first)).status).toBe(400);
    expect((await verify(flow, email, second)).status).toBe(303);
  });

  it('five wrong codes burn it: the right one is refused afterwards', async () => {
    const email = address('burn');
    await server.createUser({ email });
    const { flow } = await requestCode(server, email);
    const code = extractCode(await catcher.nextMailTo(email));
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    let last = '';
    for (let i = 0; i < 5; i += 1) last = await (await verify(flow, email, wrong)).text();
    expect(last).toContain('Too many wrong codes. Send yourself a new code');
    // Five failures from this IP on this account earn a 1 s pause (src/ratelimit); wait it out.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const response = await verify(flow, email, code);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('That code is wrong or has expired');
  });

  it('rejects bad input with a page, never a 500', async () => {
    const flow = await startFlow(server);
    const empty = await post(flow, `/interaction/${flow.uid}/email-code`, { email: '' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Enter your email address');
    const bad = await post(flow, `/interaction/${flow.uid}/email-code`, { email: 'not an email' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Enter an email address like name@example.com');
    const arrays = await fetch(`${server.url}/interaction/${flow.uid}/email-code/verify`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: flow.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${encodeURIComponent(flow.csrf)}&email=a@example.com&code=1&code=2`,
    });
    expect(arrays.status).toBe(400);
    const unknown = await get(flow, '/interaction/not-a-real-uid/email-code');
    expect(unknown.status).toBe(400);
    const noCsrf = await fetch(`${server.url}/interaction/${flow.uid}/email-code`, {
      method: 'POST',
      headers: { cookie: flow.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a@example.com',
    });
    expect(noCsrf.status).toBe(403);
  });
});

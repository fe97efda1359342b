import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, requestCode, startFlow } from './support/email-code-flow.ts';
import { type MailTestServer, type TestServer, canUseRealServices, startTestServer, startTestServerWithMail } from './support/server.ts';
import { extractCode, type MailCatcher } from './support/smtp.ts';

// Limits as shipped (src/ratelimit/policies.ts): 5 code requests per address per 15 min,
// 30 per IP per hour; wrong codes from one IP on one account pause after 5.
const PER_ADDRESS = 5;
const PER_IP = 30;

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];
let n = 0;
const address = (label: string) => `${label}-${process.pid}-${(n += 1)}@example.com`;
const spoofed = () => `${randomInt(1, 224)}.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

describe.each(backends)('email-code limits (%s)', (backend) => {
  let server: MailTestServer;
  let catcher: MailCatcher;
  beforeAll(async () => {
    server = await startTestServerWithMail({ backend });
    catcher = server.mail;
  });
  afterAll(() => server?.stop());

  it(`refuses the ${PER_ADDRESS + 1}th code request for one address with 429 and Retry-After, the same for a missing account`, async () => {
    const existing = address('limited');
    const missing = address('limited-ghost');
    await server.createUser({ email: existing });
    const flow = await startFlow(server);
    const statuses = async (email: string) => {
      const seen: number[] = [];
      let last!: Awaited<ReturnType<typeof requestCode>>;
      for (let i = 0; i <= PER_ADDRESS; i += 1) {
        last = await requestCode(server, email, flow);
        seen.push(last.response.status);
      }
      return { seen, last };
    };
    const known = await statuses(existing);
    const unknown = await statuses(missing);
    expect(known.seen).toEqual([...Array(PER_ADDRESS).fill(200), 429]);
    expect(unknown.seen).toEqual(known.seen);
    expect(Number(known.last.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(known.last.page).toMatch(/<p class="field-error" id="email-error">Too many attempts. Try again in \d+ seconds<\/p>/);
    expect(unknown.last.page.replaceAll(missing, 'EMAIL').replace(/\d+ seconds/g, 'N seconds')).toBe(
      known.last.page.replaceAll(existing, 'EMAIL').replace(/\d+ seconds/g, 'N seconds'),
    );
    // Another address is unaffected.
    expect((await requestCode(server, address('other'), flow)).response.status).toBe(200);
  });

  it('after five wrong codes the next entry waits (429, Retry-After), shown next to the code field', async () => {
    const email = address('guesser');
    await server.createUser({ email });
    const { flow } = await requestCode(server, email);
    const code = extractCode(await catcher.nextMailTo(email));
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i += 1) expect((await post(flow, `/interaction/${flow.uid}/email-code/verify`, { email, code: wrong })).status).toBe(400);
    const refused = await post(flow, `/interaction/${flow.uid}/email-code/verify`, { email, code });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toMatch(/<p class="field-error" id="code-error">Too many attempts. Try again in \d+ seconds<\/p>/);
  });
});

describe.each(backends)('email-code requests per IP (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(() => server?.stop());

  it(`refuses the ${PER_IP + 1}th request from one IP, whatever X-Forwarded-For claims`, async () => {
    const flow = await startFlow(server);
    const statuses: number[] = [];
    for (let i = 0; i <= PER_IP; i += 1) {
      const response = await fetch(`${server.url}/interaction/${flow.uid}/email-code`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: flow.jar.header(), 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': spoofed(), 'x-real-ip': spoofed() },
        body: new URLSearchParams({ csrf: flow.csrf, email: address('spray') }).toString(),
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([...Array(PER_IP).fill(200), 429]);
  });
});

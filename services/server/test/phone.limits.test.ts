import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startFlow } from './support/email-code-flow.ts';
import { phoneNumber } from './support/phone-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { codeOf, smsEnv, startSmsApi, type SmsApi } from './support/sms-api.ts';

// Limits as shipped (src/ratelimit/policies.ts), shared with email codes: 5 code requests
// per (number, IP) per 15 min, 30 per IP per hour; wrong codes pause after 5.
const PER_NUMBER = 5;
const PER_IP = 30;

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];
const spoofed = () => `${randomInt(1, 224)}.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

describe.each(backends)('phone code limits (%s)', (backend) => {
  let sms: SmsApi;
  let server: TestServer;
  beforeAll(async () => {
    sms = await startSmsApi();
    server = await startTestServer({ backend, env: smsEnv(sms) });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await sms?.close();
  });

  it(`refuses the ${PER_NUMBER + 1}th text request for one number with 429 and Retry-After, the same for a number without an account`, async () => {
    const known = phoneNumber();
    const unknown = phoneNumber();
    await server.createUser({ phone: known, phone_verified: true });
    const flow = await startFlow(server);
    const run = async (phone: string) => {
      const seen: number[] = [];
      let last!: Response;
      for (let i = 0; i <= PER_NUMBER; i += 1) {
        last = await post(flow, `/interaction/${flow.uid}/phone`, { phone });
        seen.push(last.status);
      }
      return { seen, last, page: await last.text() };
    };
    const a = await run(known);
    const b = await run(unknown);
    expect(a.seen).toEqual([...Array(PER_NUMBER).fill(200), 429]);
    expect(b.seen).toEqual(a.seen);
    expect(Number(a.last.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(a.page).toMatch(/<p class="field-error" id="phone-error">Too many attempts. Try again in \d+ seconds<\/p>/);
    expect(b.page.replaceAll(unknown, 'N').replace(/\d+ seconds/g, 'S')).toBe(a.page.replaceAll(known, 'N').replace(/\d+ seconds/g, 'S'));
    // Only the five allowed requests were texted.
    expect(sms.messages.filter((m) => m.to === known)).toHaveLength(PER_NUMBER);
    // The same number typed differently is the same number.
    expect((await post(flow, `/interaction/${flow.uid}/phone`, { phone: `+1 ${known.slice(2, 5)} ${known.slice(5)}` })).status).toBe(429);
    expect((await post(flow, `/interaction/${flow.uid}/phone`, { phone: phoneNumber() })).status).toBe(200);
  });

  it('after five wrong codes the next entry waits (429, Retry-After), even with the right code', async () => {
    const number = phoneNumber();
    await server.createUser({ phone: number, phone_verified: true });
    const flow = await startFlow(server);
    await post(flow, `/interaction/${flow.uid}/phone`, { phone: number });
    const code = codeOf(await sms.nextTo(number));
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i += 1) expect((await post(flow, `/interaction/${flow.uid}/phone/verify`, { phone: number, code: wrong })).status).toBe(400);
    const refused = await post(flow, `/interaction/${flow.uid}/phone/verify`, { phone: number, code });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toMatch(/<p class="field-error" id="code-error">Too many attempts. Try again in \d+ seconds<\/p>/);
  });

  it(`refuses the ${PER_IP + 1}th request from one IP across numbers, whatever X-Forwarded-For claims`, async () => {
    const other = await startTestServer({ backend, env: smsEnv(sms) });
    try {
      const flow = await startFlow(other);
      const statuses: number[] = [];
      for (let i = 0; i <= PER_IP; i += 1) {
        const response = await fetch(`${other.url}/interaction/${flow.uid}/phone`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: flow.jar.header(), 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': spoofed() },
          body: new URLSearchParams({ csrf: flow.csrf, phone: phoneNumber() }).toString(),
        });
        await response.arrayBuffer();
        statuses.push(response.status);
      }
      expect(statuses.slice(0, PER_IP).every((status) => status === 200)).toBe(true);
      expect(statuses[PER_IP]).toBe(429);
    } finally {
      await other.stop();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startFlow } from './support/email-code-flow.ts';
import { phoneNumber } from './support/phone-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { smsEnv, startSmsApi, type SmsApi } from './support/sms-api.ts';

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Asking for a sign-in text tells nobody whether an account uses the number: status, page and timing alike. */
describe.each(backends)('phone sign-in does not tell which numbers have accounts (%s)', (backend) => {
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

  const ask = async (flow: Awaited<ReturnType<typeof startFlow>>, phone: string) => {
    const response = await post(flow, `/interaction/${flow.uid}/phone`, { phone });
    return { response, page: await response.text() };
  };

  it('answers a number without an account with the same status, headers and page, and texts only the real one', async () => {
    const known = phoneNumber();
    const unknown = phoneNumber();
    await server.createUser({ phone: known, phone_verified: true });
    const flow = await startFlow(server);
    const a = await ask(flow, known);
    const b = await ask(flow, unknown);
    expect(a.response.status).toBe(200);
    expect(b.response.status).toBe(a.response.status);
    expect(b.response.headers.get('content-type')).toBe(a.response.headers.get('content-type'));
    expect(b.page.replaceAll(unknown, 'NUMBER')).toBe(a.page.replaceAll(known, 'NUMBER'));
    await sms.nextTo(known);
    await expect(sms.nextTo(unknown, 300)).rejects.toThrow(/no text/);
    // A code was issued for the unknown number too (same work), for no account.
    const rows = await server.db.knex('verification_codes').where({ purpose: 'sign_in_phone', flow_id: flow.uid }).whereIn('target', [known, unknown]);
    expect(rows.map((row) => [row.target, row.user_id === null]).sort()).toEqual([[known, false], [unknown, true]].sort());
  });

  it('wrong codes are answered alike for a number with and without an account', async () => {
    const known = phoneNumber();
    const unknown = phoneNumber();
    await server.createUser({ phone: known, phone_verified: true });
    const flow = await startFlow(server);
    await ask(flow, known);
    await ask(flow, unknown);
    const code = (await sms.nextTo(known)).body.slice(0, 6);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const a = await post(flow, `/interaction/${flow.uid}/phone/verify`, { phone: known, code: wrong });
    const b = await post(flow, `/interaction/${flow.uid}/phone/verify`, { phone: unknown, code: wrong });
    expect(a.status).toBe(400);
    expect(b.status).toBe(400);
    expect((await b.text()).replaceAll(unknown, 'NUMBER')).toBe((await a.text()).replaceAll(known, 'NUMBER'));
  });

  it('takes as long for a number without an account as for one with, even when the SMS API is slow', async () => {
    sms.delayMs = 300;
    try {
      const flow = await startFlow(server);
      const time = async (phone: string) => {
        const start = performance.now();
        const { response } = await ask(flow, phone);
        expect(response.status).toBe(200);
        return performance.now() - start;
      };
      const withAccount = async () => {
        const phone = phoneNumber();
        await server.createUser({ phone, phone_verified: true });
        return phone;
      };
      await time(await withAccount()); // warm up
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 7; i += 1) {
        known.push(await time(await withAccount()));
        unknown.push(await time(phoneNumber()));
      }
      expect(median(known)).toBeLessThan(300); // the slow API is not waited for
      expect(Math.abs(median(known) - median(unknown))).toBeLessThan(150);
    } finally {
      sms.delayMs = 0;
    }
  });
});

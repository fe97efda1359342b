import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/http/logger.ts';
import { apiClient, userToken } from './support/api.ts';
import { post, startFlow } from './support/email-code-flow.ts';
import { consoleOnPhone, phoneNumber } from './support/phone-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { smsEnv, startSmsApi, type SmsApi } from './support/sms-api.ts';

/**
 * The SMS API failing (500 with Twilio's error body, which quotes the
 * number) or not answering: sign-in answers as always (the text goes out in
 * the background, so a failure cannot tell whether the number has an
 * account); the owner proving their own number is told it could not be
 * sent (503, nothing changed). Never a 500, and no log line holds the number.
 */
describe('phone: the SMS API fails', () => {
  let sms: SmsApi;
  let server: TestServer;
  const lines: string[] = [];
  const logs = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  beforeAll(async () => {
    sms = await startSmsApi();
    server = await startTestServer({
      ...(canUseRealServices ? { backend: 'postgres' as const } : {}),
      env: smsEnv(sms),
      logger: createLogger({ level: 'trace', destination: logs }),
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await sms?.close();
  });

  const failureLogged = async (count: number) => {
    for (let i = 0; i < 100 && lines.filter((line) => line.includes('could not send code text')).length < count; i += 1) await new Promise((r) => setTimeout(r, 50));
    return lines.filter((line) => line.includes('could not send code text'));
  };
  const expectNoNumberLogged = (number: string) => {
    const all = lines.join('\n');
    expect(all).not.toContain(number);
    expect(all).not.toContain(number.slice(2));
    expect(all).not.toContain(sms.accountSid.slice(2)); // nor the credentials in SMS_URL
  };

  it('sign-in: the same code page while the API answers 500; the failure is logged with its status and code only', async () => {
    sms.mode = 'fail';
    const number = phoneNumber();
    await server.createUser({ phone: number, phone_verified: true });
    const flow = await startFlow(server);
    const response = await post(flow, `/interaction/${flow.uid}/phone`, { phone: number });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(`If an account uses ${number}, we have texted it a code.`);
    const logged = await failureLogged(1);
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(logged.at(-1)!)).toMatchObject({ level: 50, status: 500, apiCode: 20500, purpose: 'sign_in_phone' });
    expectNoNumberLogged(number);
  });

  it('console and API: 503 saying the text could not be sent, with Retry-After; the number is not changed', async () => {
    sms.mode = 'fail';
    const number = phoneNumber();
    const userId = await server.createUser();
    const { browser, csrf } = await consoleOnPhone(server, userId);
    const page = await browser.post('/account/phone', { csrf, phone: number });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('We could not send a text message just now. Try again in a few minutes.');

    const api = apiClient(server, (await userToken(server, ['account'], { userId })).token);
    const started = await api.me.phone.start({ body: { phone: number } });
    expect(started.status).toBe(503);
    expect(started.body).toMatchObject({ code: 'unavailable', status: 503 });
    expect(Number(started.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await server.db.knex('users').where({ id: userId }).first('phone')).toEqual({ phone: null });
    expectNoNumberLogged(number);
  });

  it('an API that never answers: sign-in answers at once; the console gives up after the timeout with the same 503', async () => {
    sms.mode = 'hang';
    try {
      const number = phoneNumber();
      await server.createUser({ phone: number, phone_verified: true });
      const flow = await startFlow(server);
      const started = performance.now();
      const response = await post(flow, `/interaction/${flow.uid}/phone`, { phone: number });
      expect(response.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(2_000);

      const other = phoneNumber();
      const { browser, csrf } = await consoleOnPhone(server, await server.createUser());
      const page = await browser.post('/account/phone', { csrf, phone: other });
      expect(page.status).toBe(503);
      const logged = await failureLogged(2);
      expect(logged.some((line) => line.includes('did not answer in time'))).toBe(true);
      expectNoNumberLogged(number);
      expectNoNumberLogged(other);
    } finally {
      sms.mode = 'ok';
    }
  }, 30_000);
});

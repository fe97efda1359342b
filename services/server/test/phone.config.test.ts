import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/env.ts';
import { createLogger } from '../src/http/logger.ts';
import { enabledMethods } from '../src/interactions/methods.ts';
import { createSmsSender } from '../src/phone/sms.ts';
import { startSmsApi } from './support/sms-api.ts';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

const SECRET = 'sekrit-auth-token-0123456789';
const TWILIO = `https://AC0123456789abcdef0123456789abcdef:${SECRET}@api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json`;
const production = { NODE_ENV: 'production', LATCHKEY_ISSUER: 'https://id.example.com', LATCHKEY_SECRETS: 'x'.repeat(32) };
const silent = createLogger({ level: 'silent' });

describe('phone configuration (SMS_URL, SMS_FROM, LATCHKEY_PHONE_REGION)', () => {
  it('reads a Twilio URL and a sender number or messaging service id', () => {
    expect(loadConfig({ SMS_URL: TWILIO, SMS_FROM: '+14155550100' }).sms).toEqual({ url: TWILIO, from: '+14155550100' });
    expect(loadConfig({ SMS_URL: TWILIO, SMS_FROM: 'MG0123456789abcdef0123456789abcdef' }).sms?.from).toBe('MG0123456789abcdef0123456789abcdef');
    expect(loadConfig({}).sms).toBeUndefined();
    expect(loadConfig({ LATCHKEY_PHONE_REGION: ' gb ' }).phoneRegion).toBe('GB');
  });

  it('names each bad variable with what is wrong, never echoing a value', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ SMS_URL: `ftp://user:${SECRET}@example.com/`, SMS_FROM: '+14155550100' }, /^SMS_URL must be a http\(s\) URL/],
      [{ SMS_URL: 'not a url', SMS_FROM: '+14155550100' }, /^SMS_URL must be a http\(s\) URL/],
      [{ SMS_URL: TWILIO }, /^SMS_FROM is required when SMS_URL is set/],
      [{ SMS_URL: TWILIO, SMS_FROM: `4155550100${SECRET}` }, /^SMS_FROM must be the sender number in E\.164 form/],
      [{ SMS_FROM: '+14155550100' }, /^SMS_FROM needs SMS_URL/],
      [{ LATCHKEY_PHONE_REGION: 'Atlantis' }, /^LATCHKEY_PHONE_REGION must be a two-letter country code/],
      [{ LATCHKEY_PHONE_REGION: 'XX' }, /^LATCHKEY_PHONE_REGION must be a two-letter country code/],
      [{ ...production, SMS_URL: TWILIO.replace('https:', 'http:'), SMS_FROM: '+14155550100' }, /^SMS_URL must be an https:\/\/ URL when NODE_ENV=production/],
    ];
    for (const [env, message] of cases) {
      const list = problems(env);
      expect(list).toEqual([expect.stringMatching(message)]);
      expect(list.join('\n')).not.toContain(SECRET);
    }
  });

  it('in production without SMS_URL there is no sender and the phone method is off; with it, on', () => {
    const off = loadConfig(production);
    expect(createSmsSender({ config: off, logger: silent })).toBeUndefined();
    expect(enabledMethods(off).map((method) => method.id)).not.toContain('phone');
    const on = loadConfig({ ...production, SMS_URL: TWILIO, SMS_FROM: '+14155550100' });
    expect(createSmsSender({ config: on, logger: silent })?.kind).toBe('http');
    expect(enabledMethods(on).map((method) => method.id)).toContain('phone');
    // Outside production, without SMS_URL: the dev outbox.
    expect(createSmsSender({ config: loadConfig({}), logger: silent })?.kind).toBe('dev');
  });

  it('a messaging service id is sent as MessagingServiceSid, and credentials go in the Basic header, not the URL', async () => {
    const api = await startSmsApi();
    try {
      const config = loadConfig({ SMS_URL: api.url, SMS_FROM: 'MG0123456789abcdef0123456789abcdef' });
      const sender = createSmsSender({ config, logger: silent })!;
      await sender.send({ to: '+14155550123', body: 'hello' });
      expect(api.messages).toEqual([{ to: '+14155550123', from: undefined, messagingServiceSid: 'MG0123456789abcdef0123456789abcdef', body: 'hello', authorized: true }]);
      // Wrong credentials: refused by the API, and the error says so without the URL.
      const wrong = createSmsSender({ config: loadConfig({ SMS_URL: api.url.replace(/:[0-9a-f]{32}@/, ':wrong@'), SMS_FROM: '+14155550100' }), logger: silent })!;
      const error = (await wrong.send({ to: '+14155550123', body: 'hello' }).then(() => undefined, (e: unknown) => e)) as Error & { status?: number; apiCode?: number };
      expect(error).toMatchObject({ name: 'SmsError', status: 401, apiCode: 20003 });
      expect(String(error.message)).not.toContain('127.0.0.1');
      expect(api.refused).toBe(1);
    } finally {
      await api.close();
    }
  });
});

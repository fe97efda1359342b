import { ConfigError, type Config } from '../config/env.ts';
import type { Logger } from '../http/logger.ts';

/** One text message to an E.164 number. */
export type Sms = { to: string; body: string };

export type SmsSender = {
  /** 'http' posts to SMS_URL; 'dev' keeps texts in memory for the dev outbox (/dev/sms). */
  readonly kind: 'http' | 'dev';
  /** Resolves once the API accepted the message; rejects with SmsError otherwise. */
  send: (sms: Sms) => Promise<void>;
  /** Only in dev mode (no SMS_URL, not production). */
  readonly outbox?: DevOutbox;
};

/** Why a text did not go out, without the number or the text (safe to log and to name to the person). */
export class SmsError extends Error {
  readonly status?: number;
  readonly apiCode?: number | string;

  constructor(message: string, options: { status?: number; apiCode?: number | string } = {}) {
    super(message);
    this.name = 'SmsError';
    this.status = options.status;
    this.apiCode = options.apiCode;
  }
}

/** The most recent texts, kept in memory when there is no SMS API (development only). */
export type DevOutbox = { add: (sms: Sms) => void; list: () => ReadonlyArray<Sms & { sentAt: Date }> };

export const DEV_OUTBOX_SIZE = 50;

function createDevOutbox(): DevOutbox {
  const texts: Array<Sms & { sentAt: Date }> = [];
  return {
    add(sms) {
      texts.push({ ...sms, sentAt: new Date() });
      if (texts.length > DEV_OUTBOX_SIZE) texts.splice(0, texts.length - DEV_OUTBOX_SIZE);
    },
    list: () => [...texts].reverse(),
  };
}

/** How long the SMS API gets to accept a message. */
export const SMS_TIMEOUT_MS = 10_000;

/**
 * Twilio's Messages API shape: POST form-encoded To, From (or
 * MessagingServiceSid for an MG… id) and Body to SMS_URL, HTTP Basic auth
 * from the URL's userinfo (account SID : auth token); a 2xx JSON answer
 * with a `sid` means accepted. The credentials go in the header, never in
 * the request line, and no error carries the URL, the number or the text.
 */
function createHttpSender(sms: NonNullable<Config['sms']>, fetchImpl: typeof fetch): SmsSender {
  const target = new URL(sms.url);
  const user = decodeURIComponent(target.username);
  const password = decodeURIComponent(target.password);
  target.username = '';
  target.password = '';
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (user || password) headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const sender: Record<string, string> = /^MG[0-9a-f]{32}$/i.test(sms.from) ? { MessagingServiceSid: sms.from } : { From: sms.from };
  return {
    kind: 'http',
    async send(message) {
      let response: Response;
      try {
        response = await fetchImpl(target, {
          method: 'POST',
          headers,
          body: new URLSearchParams({ To: message.to, ...sender, Body: message.body }).toString(),
          redirect: 'error',
          signal: AbortSignal.timeout(SMS_TIMEOUT_MS),
        });
      } catch (error) {
        const name = (error as { name?: string })?.name;
        throw new SmsError(name === 'TimeoutError' ? 'the SMS API did not answer in time' : 'the SMS API could not be reached');
      }
      const text = await response.text().catch(() => '');
      let json: { sid?: unknown; code?: unknown } | undefined;
      try {
        json = JSON.parse(text) as typeof json;
      } catch {
        json = undefined;
      }
      // Twilio's error body is { code, message, more_info, status }; only its numeric code is kept (the message may quote the number).
      const apiCode = typeof json?.code === 'number' || typeof json?.code === 'string' ? json.code : undefined;
      if (!response.ok) throw new SmsError('the SMS API refused the message', { status: response.status, apiCode });
      if (typeof json?.sid !== 'string') throw new SmsError('the SMS API answered without a message sid', { status: response.status });
    },
  };
}

/**
 * The SMS sender for this server: SMS_URL when set; otherwise, outside
 * production, a dev outbox read at /dev/sms. Production without SMS_URL has
 * none, and the phone method is off (phone/method.ts).
 */
export function createSmsSender({ config, logger }: { config: Config; logger: Logger }, fetchImpl: typeof fetch = fetch): SmsSender | undefined {
  if (config.sms) {
    try {
      return createHttpSender(config.sms, fetchImpl);
    } catch {
      throw new ConfigError(['SMS_URL could not be read as a URL with optional credentials']);
    }
  }
  if (config.env === 'production') return undefined;
  const outbox = createDevOutbox();
  return {
    kind: 'dev',
    outbox,
    async send(sms) {
      outbox.add(sms);
      // Never production (none above): the text carries a code, so only a hint goes to the log.
      logger.info('text kept in the dev outbox (SMS_URL is not set); see /dev/sms');
    },
  };
}

/** Whether texts can go out (or be kept for a developer): the phone method needs one. */
export const hasSmsSender = (config: Config): boolean => Boolean(config.sms) || config.env !== 'production';

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Twilio's Messages API (the one third party the tests
 * cannot reach), speaking its wire format: POST
 * /2010-04-01/Accounts/<AccountSid>/Messages.json, HTTP Basic auth
 * <AccountSid>:<AuthToken>, a form body with To, From (or
 * MessagingServiceSid) and Body; 201 with a message resource (`sid` SM…),
 * or Twilio's error body ({ code, message, more_info, status }).
 */
export type SmsMessage = { to: string; from?: string; messagingServiceSid?: string; body: string; authorized: boolean };

export type SmsApi = {
  /** SMS_URL for the server: credentials in the userinfo. */
  url: string;
  accountSid: string;
  from: string;
  /** Every accepted message, in order. */
  messages: SmsMessage[];
  /** Requests refused for bad credentials or a bad form. */
  refused: number;
  /** 'ok' accepts; 'fail' answers 500 with Twilio's error body; 'hang' never answers. */
  mode: 'ok' | 'fail' | 'hang';
  /** Milliseconds to wait before answering (a slow provider). */
  delayMs: number;
  /** Resolves with the next (or an already received, not yet taken) message to `to`. */
  nextTo: (to: string, timeoutMs?: number) => Promise<SmsMessage>;
  close: () => Promise<void>;
};

export const codeOf = (message: SmsMessage): string => {
  const code = /\b(\d{6})\b/.exec(message.body)?.[1];
  if (!code) throw new Error('no code in the text');
  return code;
};

export async function startSmsApi(): Promise<SmsApi> {
  const accountSid = `AC${randomBytes(16).toString('hex')}`;
  const authToken = randomBytes(16).toString('hex');
  const from = '+14155550100';
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const taken = new Set<SmsMessage>();
  const waiters: Array<() => void> = [];
  const open = new Set<ServerResponse>();

  const api: SmsApi = {
    url: '',
    accountSid,
    from,
    messages: [],
    refused: 0,
    mode: 'ok',
    delayMs: 0,
    async nextTo(to, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = api.messages.find((m) => m.to === to && !taken.has(m));
        if (found) {
          taken.add(found);
          return found;
        }
        if (Date.now() > deadline) throw new Error(`no text to ${to} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    close: async () => {
      for (const res of open) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const error = (res: ServerResponse, status: number, code: number, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (api.delayMs) await new Promise((resolve) => setTimeout(resolve, api.delayMs));
    if (api.mode === 'hang') {
      open.add(res);
      return;
    }
    if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${accountSid}/Messages.json`) return error(res, 404, 20404, 'The requested resource was not found');
    if (req.headers.authorization !== expectedAuth) {
      api.refused += 1;
      return error(res, 401, 20003, 'Authenticate');
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const to = form.get('To');
    const body = form.get('Body');
    if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') || !to || !body || !(form.get('From') || form.get('MessagingServiceSid'))) {
      api.refused += 1;
      return error(res, 400, 21604, "A 'To' phone number is required.");
    }
    if (api.mode === 'fail') return error(res, 500, 20500, `Internal Server Error while sending to ${to}`);
    const message: SmsMessage = { to, from: form.get('From') ?? undefined, messagingServiceSid: form.get('MessagingServiceSid') ?? undefined, body, authorized: true };
    api.messages.push(message);
    for (const wake of waiters.splice(0)) wake();
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const now = new Date().toUTCString();
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        account_sid: accountSid,
        api_version: '2010-04-01',
        body,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: message.from ?? null,
        messaging_service_sid: message.messagingServiceSid ?? null,
        num_media: '0',
        num_segments: '1',
        price: null,
        price_unit: 'USD',
        sid,
        status: 'queued',
        to,
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      }),
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.statusCode = 500;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  api.url = `http://${accountSid}:${authToken}@127.0.0.1:${port}/2010-04-01/Accounts/${accountSid}/Messages.json`;
  return api;
}

/** A test server's env for texts through `api`. */
export const smsEnv = (api: SmsApi): Record<string, string> => ({ SMS_URL: api.url, SMS_FROM: api.from });

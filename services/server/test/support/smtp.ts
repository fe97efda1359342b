import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message as the SMTP server received it. */
export type CapturedMail = {
  /** Envelope recipients (RCPT TO), lower-cased. */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
};

export type MailCatcher = {
  /** smtp://127.0.0.1:PORT — give it to the server as SMTP_URL. */
  url: string;
  port: number;
  /** Every message received so far, oldest first. */
  messages: CapturedMail[];
  /**
   * The oldest message to `address` not yet taken by an earlier call, or the
   * next one to arrive (each message is handed out once, so it does not
   * matter whether the mail landed before or after the call).
   */
  nextMailTo: (address: string, timeoutMs?: number) => Promise<CapturedMail>;
  close: () => Promise<void>;
};

/**
 * A real SMTP server on a free loopback port. No STARTTLS is offered, so a
 * client on a plain smtp:// URL talks plain text to it (as to a local relay);
 * AUTH is optional and any credentials pass.
 */
export async function startMailCatcher(): Promise<MailCatcher> {
  const messages: CapturedMail[] = [];
  const taken = new Set<CapturedMail>();
  const waiters: Array<() => void> = [];

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'test' });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            messages.push({
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              raw: raw.toString('utf8'),
            });
            for (const wake of waiters.splice(0)) wake();
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    async nextMailTo(address, timeoutMs = 10_000) {
      const want = address.toLowerCase();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find((m) => !taken.has(m) && m.to.includes(want));
        if (found) {
          taken.add(found);
          return found;
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          const seen = messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join('; ') || 'none';
          throw new Error(`no mail to ${address} within ${timeoutMs} ms (received: ${seen})`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The one-time code in a mail: six digits, possibly shown as "123 456" or
 * "123-456". Fails when the text part holds no code or two different ones,
 * and when the HTML part does not show the same code.
 */
export function extractCode(mail: CapturedMail): string {
  const codes = (text: string) =>
    new Set([...text.matchAll(/(?<![\d-])(\d{3})[ -]?(\d{3})(?![\d-])/g)].map((m) => `${m[1]}${m[2]}`));
  const inText = codes(mail.text);
  if (inText.size !== 1) throw new Error(`expected one 6-digit code in the mail's text, found ${inText.size}: ${mail.text}`);
  const [code] = inText;
  if (mail.html && !codes(mail.html.replace(/<[^>]*>/g, ' ')).has(code!)) {
    throw new Error(`the mail's HTML part does not show the code ${code}`);
  }
  return code!;
}

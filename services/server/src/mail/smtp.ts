import type { Transporter } from 'nodemailer';
import { isValidEmail } from '../accounts/email.ts';
import type { Mail } from './mailer.ts';

/**
 * Sends through the operator's SMTP server (SMTP_URL, e.g.
 * smtps://user:pass@smtp.example.com or smtp://relay:25). A pooled transport
 * reuses connections; timeouts keep a dead relay from holding requests open.
 * nodemailer is loaded with the first message, not at start (it connects
 * only then anyway).
 */
export function createSmtpSender(options: { url: string; from: string }) {
  let opened: Promise<Transporter> | undefined;
  let transport: Transporter | undefined;
  const open = () =>
    (opened ??= import('nodemailer').then(({ default: nodemailer }) =>
      (transport = nodemailer.createTransport({
        url: options.url,
        pool: true,
        maxConnections: 3,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      })),
    ));
  return {
    async send(mail: Mail): Promise<string> {
      // Defence in depth: a stored value that is not a plain address (written before addresses were checked) gets no mail.
      if (!isValidEmail(mail.to)) throw Object.assign(new Error('refusing to mail a recipient that is not a plain address'), { code: 'EBADRECIPIENT' });
      // An address object, not a string: nodemailer would parse a string as a header
      // ("a" <b@c>, groups, lists) and could mail someone other than the stored address.
      const to = { name: '', address: mail.to };
      const info = await (await open()).sendMail({ from: options.from, to, envelope: { from: options.from, to: [to] }, subject: mail.subject, text: mail.text, html: mail.html });
      return String(info.messageId ?? '');
    },
    close(): void {
      transport?.close();
    },
  };
}

import nodemailer from 'nodemailer';
import type { Mail } from './mailer.ts';

/**
 * Sends through the operator's SMTP server (SMTP_URL, e.g.
 * smtps://user:pass@smtp.example.com or smtp://relay:25). A pooled transport
 * reuses connections; timeouts keep a dead relay from holding requests open.
 */
export function createSmtpSender(options: { url: string; from: string }) {
  const transport = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: 3,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(mail: Mail): Promise<string> {
      const info = await transport.sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
      return String(info.messageId ?? '');
    },
    close(): void {
      transport.close();
    },
  };
}

import { ConfigError, type Config } from '../config/env.ts';
import type { Logger } from '../http/logger.ts';
import { createDevMailbox, type DevMailbox } from './dev-mailbox.ts';
import { createSmtpSender } from './smtp.ts';

/** One message, always with a plain-text and an HTML part. */
export type Mail = { to: string; subject: string; text: string; html: string };

export type Mailer = {
  /** 'smtp' sends through SMTP_URL; 'dev' keeps mail in memory for the dev mailbox page. */
  readonly kind: 'smtp' | 'dev';
  send: (mail: Mail) => Promise<void>;
  /** Only in dev mode (no SMTP_URL, not production). */
  readonly mailbox?: DevMailbox;
  close: () => Promise<void>;
};

/**
 * The mailer for this server: SMTP when SMTP_URL is set; otherwise, outside
 * production only, an in-memory dev mailbox. Production without SMTP_URL is a
 * configuration error at boot, not a silent loss of every sign-in code.
 */
export function createMailer({ config, logger }: { config: Config; logger: Logger }): Mailer {
  if (config.smtpUrl) {
    const smtp = createSmtpSender({ url: config.smtpUrl, from: config.mailFrom });
    return {
      kind: 'smtp',
      async send(mail) {
        const messageId = await smtp.send(mail);
        // Subjects carry codes: log the message id only.
        logger.info({ messageId }, 'mail sent');
      },
      close: async () => smtp.close(),
    };
  }
  if (config.env === 'production') {
    throw new ConfigError(['SMTP_URL is required when NODE_ENV=production (without it, sign-in and verification mail would only be kept in memory)']);
  }
  const mailbox = createDevMailbox();
  return {
    kind: 'dev',
    mailbox,
    async send(mail) {
      mailbox.add(mail);
      // Never production (refused above): a developer reads the subject here or opens /dev/mailbox.
      logger.info({ to: mail.to, subject: mail.subject }, 'mail kept in dev mailbox (SMTP_URL is not set); see /dev/mailbox');
    },
    close: async () => {},
  };
}

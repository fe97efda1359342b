import type { Mail } from './mailer.ts';

/** The most recent messages, kept in memory when there is no SMTP server (development only). */
export type DevMailbox = {
  add: (mail: Mail) => void;
  /** Newest first. */
  list: () => ReadonlyArray<Mail & { receivedAt: Date }>;
};

export const DEV_MAILBOX_SIZE = 50;

export function createDevMailbox(): DevMailbox {
  const messages: Array<Mail & { receivedAt: Date }> = [];
  return {
    add(mail) {
      messages.push({ ...mail, receivedAt: new Date() });
      if (messages.length > DEV_MAILBOX_SIZE) messages.splice(0, messages.length - DEV_MAILBOX_SIZE);
    },
    list: () => [...messages].reverse(),
  };
}

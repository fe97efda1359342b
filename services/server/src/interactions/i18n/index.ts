import { en, type MessageId } from './en.ts';

export type { MessageId } from './en.ts';

const catalogues: Record<string, Record<MessageId, string>> = { en };

/** Looks up a message and fills `{placeholders}`. Unknown locales fall back to English. */
export function t(id: MessageId, params: Record<string, string | number> = {}, locale = 'en'): string {
  const template = (catalogues[locale] ?? en)[id] ?? en[id];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

import { en, type MessageId } from './en.ts';

export type { MessageId } from './en.ts';

const catalogues: Record<string, Record<MessageId, string>> = { en };

/** Looks up a message and fills `{placeholders}`. Unknown locales fall back to English. */
export function t(id: MessageId, params: Record<string, string | number> = {}, locale = 'en'): string {
  const template = (catalogues[locale] ?? en)[id] ?? en[id];
  // Most messages have no placeholder; they are used as they are (a sign-in page looks up dozens).
  if (!template.includes('{')) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

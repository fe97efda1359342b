import { lazy } from '../lazy.ts';

// Loaded with the first session recorded, not at start.
const uaParser = lazy<typeof import('ua-parser-js')>('ua-parser-js');

export type ParsedUserAgent = { browser: string | null; os: string | null; device: string | null };

const join = (...parts: Array<string | undefined>) => parts.filter(Boolean).join(' ') || null;

/**
 * What a person recognises in a session list: "Firefox 121", "Windows 10",
 * "mobile (Apple iPhone)". ua-parser-js 1.x (MIT; 2.x is AGPL). A browser
 * that names no device type is a desktop.
 */
export function parseUserAgent(userAgent: string | undefined | null): ParsedUserAgent {
  if (!userAgent) return { browser: null, os: null, device: null };
  const UAParser = uaParser();
  const { browser, os, device } = new UAParser(userAgent).getResult();
  const model = join(device.vendor, device.model);
  const type = device.type ?? (browser.name || os.name ? 'desktop' : undefined);
  return {
    browser: join(browser.name, browser.major ?? browser.version),
    os: join(os.name, os.version),
    device: type ? (model ? `${type} (${model})` : type) : model,
  };
}

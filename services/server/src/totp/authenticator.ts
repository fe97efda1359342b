import { raw, type Html } from '../interactions/views/html.ts';

/**
 * The authenticator-app side of TOTP (RFC 6238 with the parameters every app
 * supports: SHA-1, 6 digits, 30 s), through otplib. Which step a code was
 * accepted for is recorded by the caller (two-step.ts), atomically.
 * otplib and qrcode are loaded when first used, not at start.
 */
export const PERIOD_SECONDS = 30;

const otp = () => import('otplib');

/** A new seed: 20 random bytes, base32 (what apps expect). */
export const newSeed = async (): Promise<string> => (await otp()).generateSecret({ length: 20 });

/** The otpauth:// URI an app reads from the QR code: issuer = the product name, label = the account's address. */
export const otpauthUri = async (productName: string, label: string, seed: string): Promise<string> =>
  (await otp()).generateURI({ issuer: productName, label, secret: seed });

/**
 * The QR code as inline SVG, drawn here (no external service sees the seed).
 * Inline SVG is markup, not a loaded image, so the strict CSP allows it; the
 * SVG holds only paths made from the URI's bits, no text.
 */
export async function qrSvg(uri: string): Promise<Html> {
  const { default: QRCode } = await import('qrcode');
  return raw(await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 200 }));
}

/** The seed as people type it into an app by hand: groups of four. */
export const groupedSeed = (seed: string): string => seed.replace(/(.{4})(?=.)/g, '$1 ');

export const isTotpCode = (value: string): boolean => /^\d{6}$/.test(value);

/**
 * The time step a 6-digit code matches within one step either side of now,
 * later than `after` (the last accepted step), or undefined.
 */
export async function matchingStep(seed: string, code: string, after: number | null): Promise<number | undefined> {
  if (!isTotpCode(code)) return undefined;
  const { verify } = await otp();
  const result = await verify({ secret: seed, token: code, epochTolerance: PERIOD_SECONDS, ...(after === null ? {} : { afterTimeStep: after }) });
  // The TOTP strategy's result carries the matched step (the union type also covers HOTP's).
  return result.valid ? (result as { timeStep: number }).timeStep : undefined;
}

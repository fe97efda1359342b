import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** What the `cookies` package (Koa, so oidc-provider) calls on `cookies.keys`. */
export type CookieSigner = {
  sign(data: string): string;
  verify(data: string, digest: string): boolean;
  index(data: string, digest: string): number;
};

/**
 * Signs oidc-provider's cookies exactly as the Keygrip it builds from a key
 * list would (HMAC-SHA1 of `name=value`, base64url, the first key signs,
 * any key verifies), so cookies set before an upgrade or a secret rotation
 * still verify. Keygrip imports every key from its string on every MAC and
 * compares through two more HMACs under a fresh random key; that was a
 * quarter of a sign-in page's CPU. Here the keys are imported once and the
 * fixed-length digests are compared with timingSafeEqual.
 */
export function cookieSigner(keys: readonly string[]): CookieSigner {
  if (keys.length === 0) throw new Error('cookieSigner needs at least one key');
  const imported: KeyObject[] = keys.map((key) => createSecretKey(Buffer.from(key, 'utf8')));
  const mac = (data: string, key: KeyObject) => createHmac('sha1', key).update(data).digest('base64url');
  const matches = (expected: string, digest: string) => {
    const a = Buffer.from(expected);
    const b = Buffer.from(digest);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const index = (data: string, digest: string): number => {
    const given = String(digest);
    for (let i = 0; i < imported.length; i += 1) if (matches(mac(String(data), imported[i]!), given)) return i;
    return -1;
  };
  return {
    sign: (data) => mac(String(data), imported[0]!),
    verify: (data, digest) => index(data, digest) > -1,
    index,
  };
}

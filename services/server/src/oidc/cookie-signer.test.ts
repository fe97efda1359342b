import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cookieSigner } from './cookie-signer.ts';

// What Keygrip (the `cookies` package's default) computes: HMAC-SHA1 under the key string, base64 made URL-safe.
const keygripSign = (data: string, key: string) =>
  createHmac('sha1', key).update(data).digest('base64').replace(/\/|\+|=/g, (c) => ({ '/': '_', '+': '-', '=': '' })[c]!);

describe('cookieSigner', () => {
  const [newest, older] = ['k1-newest-0123456789abcdefghijklmnopqrstuv', 'k0-older-0123456789abcdefghijklmnopqrstuvw'];
  const signer = cookieSigner([newest, older]);
  const data = '_interaction=tqm3qAZ6PuN8zw3v6VfZk';

  it('signs as Keygrip does, with the first key', () => {
    expect(signer.sign(data)).toBe(keygripSign(data, newest));
  });

  it('finds the key a cookie was signed with, so cookies from before a rotation still verify', () => {
    expect(signer.index(data, keygripSign(data, newest))).toBe(0);
    expect(signer.index(data, keygripSign(data, older))).toBe(1);
    expect(signer.verify(data, keygripSign(data, older))).toBe(true);
  });

  it('refuses a wrong, truncated, re-encoded or foreign signature', () => {
    const good = keygripSign(data, newest);
    for (const digest of [keygripSign(`${data}x`, newest), good.slice(0, -1), `${good}=`, Buffer.from(good, 'base64url').toString('base64'), keygripSign(data, 'someone-else'), '']) {
      expect(signer.index(data, digest), digest).toBe(-1);
    }
    expect(signer.verify(`${data}x`, good)).toBe(false);
  });

  it('needs a key', () => {
    expect(() => cookieSigner([])).toThrow();
  });
});

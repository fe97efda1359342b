import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * Bucket keys. An IPv6 client usually holds a whole /64, so it is limited as
 * one; an IPv4-mapped IPv6 address is its IPv4 address.
 */
export function ipBucket(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const address = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return 'unknown';
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string) => (part ? part.split(':') : []);
  let left = parse(head);
  let right = tail === undefined ? [] : parse(tail);
  // A trailing dotted quad counts as two groups.
  const fix = (groups: string[]) =>
    groups.flatMap((group) => {
      if (!group.includes('.')) return [group];
      const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  left = fix(left);
  right = fix(right);
  const zeros = Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0');
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16).toString(16));
}

/** What a person typed as their account (email), folded the way the users table compares it. */
export function normalizeAccount(identifier: string): string {
  return identifier.normalize('NFKC').trim().toLowerCase();
}

/**
 * Account bucket key: a keyed hash, so Redis holds no email addresses and a
 * huge input cannot make a huge key. `hash` is the keyring's HMAC.
 */
export function accountBucket(identifier: string, hash?: (value: string) => string): string {
  const normalized = normalizeAccount(identifier);
  return hash ? hash(normalized) : createHash('sha256').update(normalized).digest('base64url');
}

import { parseOptions } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './hash.ts';
import { PASSWORD_HASH_PARAMS } from './params.ts';

describe('password hashing (argon2id)', () => {
  it('hashes with argon2id and the current parameters, salted', async () => {
    const a = await hashPassword('plum tree harbour');
    const b = await hashPassword('plum tree harbour');
    expect(a).toMatch(/^\$argon2id\$v=19\$/);
    expect(a).not.toBe(b);
    expect(parseOptions(a)).toMatchObject({
      memoryCost: PASSWORD_HASH_PARAMS.memoryCost,
      timeCost: PASSWORD_HASH_PARAMS.timeCost,
      parallelism: PASSWORD_HASH_PARAMS.parallelism,
    });
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('plum tree harbour');
    expect(await verifyPassword(stored, 'plum tree harbour')).toBe(true);
    expect(await verifyPassword(stored, 'plum tree harbouR')).toBe(false);
    expect(await verifyPassword('not a hash', 'plum tree harbour')).toBe(false);
  });

  it('treats canonically equivalent Unicode as the same password', async () => {
    const stored = await hashPassword('caf\u00e9 au lait');
    expect(await verifyPassword(stored, 'cafe\u0301 au lait')).toBe(true);
  });

  it('asks for a rehash only when the parameters changed', async () => {
    const current = await hashPassword('plum tree harbour');
    expect(needsRehash(current)).toBe(false);
    const old = await hashPassword('plum tree harbour', { ...PASSWORD_HASH_PARAMS, memoryCost: 8192, timeCost: 1 });
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(current, { ...PASSWORD_HASH_PARAMS, timeCost: 3 })).toBe(true);
    expect(needsRehash('$2b$10$abcdefghijklmnopqrstuv')).toBe(true);
  });

  it('spends about as long on a missing account as on a real one', async () => {
    const stored = await hashPassword('plum tree harbour');
    await verifyAgainstDummy('warm-up');
    const time = async (fn: () => Promise<unknown>) => {
      const start = performance.now();
      await fn();
      return performance.now() - start;
    };
    // Interleaved pairs and the median ratio: load on the machine slows both sides alike.
    const ratios: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const real = await time(() => verifyPassword(stored, 'wrong guess'));
      const dummy = await time(() => verifyAgainstDummy('wrong guess'));
      ratios.push(dummy / real);
    }
    const median = ratios.sort((a, b) => a - b)[3]!;
    expect(await verifyAgainstDummy('latchkey-dummy-password-never-matches')).toBe(false);
    expect(median).toBeGreaterThan(0.5);
    expect(median).toBeLessThan(2);
  });
});

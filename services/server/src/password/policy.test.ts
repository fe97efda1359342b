import { describe, expect, it } from 'vitest';
import { PASSWORD_MAX_LENGTH } from './params.ts';
import { checkPassword, passwordLength } from './policy.ts';

describe('password policy (NIST 800-63B)', () => {
  it('needs at least 8 characters, counted as code points', () => {
    expect(checkPassword('Tr7#kq2')).toBe('short');
    expect(checkPassword('Tr7#kq2z')).toBeUndefined();
    // Four emoji are 8 UTF-16 units but 4 characters.
    expect('🔑🗝🔒🔓'.length).toBe(8);
    expect(passwordLength('🔑🗝🔒🔓')).toBe(4);
    expect(checkPassword('🔑🗝🔒🔓')).toBe('short');
    expect(checkPassword('🔑🗝🔒🔓🔑🗝🔒🔓')).toBeUndefined();
  });

  it('allows long passphrases up to the cap and refuses beyond it', () => {
    const phrase = 'correct horse battery staple and then some more words';
    expect(checkPassword(phrase)).toBeUndefined();
    expect(checkPassword('ab cd '.repeat(PASSWORD_MAX_LENGTH / 6 + 1).slice(0, PASSWORD_MAX_LENGTH))).toBeUndefined();
    expect(checkPassword('x'.repeat(PASSWORD_MAX_LENGTH) + 'y')).toBe('long');
  });

  it('has no composition rules: lower-case letters only are fine', () => {
    expect(checkPassword('plumtreeharbourlantern')).toBeUndefined();
  });

  it('rejects the most common passwords, whatever their case', () => {
    for (const password of ['password', 'Password', 'PASSWORD1', '12345678', 'qwertyuiop', 'iloveyou', 'sunshine']) {
      expect(checkPassword(password), password).toBe('common');
    }
  });

  it('rejects a single repeated character', () => {
    expect(checkPassword('zzzzzzzzzz')).toBe('common');
  });

  it('rejects the account email and its local part, and context words', () => {
    expect(checkPassword('ada.lovelace@example.com', { email: 'Ada.Lovelace@example.com' })).toBe('common');
    expect(checkPassword('Ada.Lovelace', { email: ' ada.lovelace@example.com ' })).toBe('common');
    expect(checkPassword('ada.lovelace!', { email: 'ada.lovelace@example.com' })).toBeUndefined();
    expect(checkPassword('latchkeyid', { words: ['LatchkeyID'] })).toBe('common');
  });
});

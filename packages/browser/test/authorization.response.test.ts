import { describe, expect, it } from 'vitest';
import { checkAuthorizationResponse } from '../src/authorization.ts';
import { pkceChallenge, random } from '../src/encoding.ts';

const issuer = 'https://auth.example.com';
const expected = { state: 'state-1', issuer, issRequired: true };
const check = (query: string, overrides = {}) => () => checkAuthorizationResponse(new URLSearchParams(query), { ...expected, ...overrides });

describe('authorization response (state, RFC 9207 iss)', () => {
  it('returns the code of a response for our state from our issuer', () => {
    expect(check(`code=abc&state=state-1&iss=${encodeURIComponent(issuer)}`)()).toBe('abc');
  });

  it('refuses a response for another sign-in (state missing or different)', () => {
    expect(check(`code=abc&iss=${issuer}`)).toThrow(expect.objectContaining({ code: 'state_mismatch' }));
    expect(check(`code=abc&state=state-2&iss=${issuer}`)).toThrow(expect.objectContaining({ code: 'state_mismatch' }));
  });

  it('refuses a mix-up: a response from another issuer, or none named when the issuer always names itself', () => {
    expect(check('code=abc&state=state-1&iss=https://evil.example')).toThrow(expect.objectContaining({ code: 'issuer_mismatch' }));
    expect(check(`code=abc&state=state-1&iss=${issuer}/`)).toThrow(expect.objectContaining({ code: 'issuer_mismatch' }));
    expect(check('code=abc&state=state-1')).toThrow(expect.objectContaining({ code: 'issuer_mismatch' }));
    // An issuer that does not support RFC 9207 sends no iss; one it does send must still match.
    expect(check('code=abc&state=state-1', { issRequired: false })()).toBe('abc');
  });

  it('checks iss before it believes an error in the response', () => {
    expect(check('error=access_denied&state=state-1&iss=https://evil.example')).toThrow(expect.objectContaining({ code: 'issuer_mismatch' }));
    expect(check(`error=access_denied&error_description=nope&state=state-1&iss=${issuer}`)).toThrow(
      expect.objectContaining({ code: 'access_denied', message: 'nope' }),
    );
  });

  it('refuses a response with no code', () => {
    expect(check(`state=state-1&iss=${issuer}`)).toThrow(expect.objectContaining({ code: 'invalid_response' }));
  });
});

describe('PKCE', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character verifiers, states and nonces that never repeat', () => {
    const values = new Set(Array.from({ length: 100 }, () => random()));
    expect(values.size).toBe(100);
    for (const value of values) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

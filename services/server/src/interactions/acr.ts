import type { Amr } from './method.ts';

/**
 * Authentication context classes, named after NIST SP 800-63B's assurance
 * levels: `aal1` one factor, `aal2` two (a password and a code, or a passkey
 * with user verification). Advertised in discovery as acr_values_supported.
 */
export const ACR_VALUES = ['aal1', 'aal2'] as const;
export type Acr = (typeof ACR_VALUES)[number];

export const acrOf = (amr: readonly Amr[]): Acr => (amr.includes('mfa') ? 'aal2' : 'aal1');

/**
 * Whether the authorization request insists on two factors: acr_values lists
 * preferences, so `aal2` alone asks for a step-up and `aal2 aal1` does not.
 */
export function wantsTwoFactors(acrValues: unknown): boolean {
  if (typeof acrValues !== 'string') return false;
  const values = acrValues.split(' ').filter(Boolean);
  return values.length > 0 && values.every((value) => value === 'aal2');
}

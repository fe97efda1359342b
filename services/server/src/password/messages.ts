import { t } from '../interactions/i18n/index.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './params.ts';
import type { PasswordProblem } from './policy.ts';

/** What a person reads next to the password field for each policy problem. */
export function passwordProblemMessage(problem: PasswordProblem): string {
  if (problem === 'short') return t('error.password_short', { min: PASSWORD_MIN_LENGTH });
  if (problem === 'long') return t('error.password_long', { max: PASSWORD_MAX_LENGTH });
  return t('error.password_common');
}

export const newPasswordHint = () => t('field.new_password.hint', { min: PASSWORD_MIN_LENGTH });

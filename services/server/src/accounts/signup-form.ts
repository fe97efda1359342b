import { t } from '../interactions/i18n/index.ts';
import type { FieldErrors } from '../interactions/views/layout.ts';
import { passwordProblemMessage } from '../password/messages.ts';
import { checkPassword } from '../password/policy.ts';
import { NAME_MAX_LENGTH } from './create-user.ts';
import { isValidEmail, normalizeEmail } from './email.ts';
import type { SignUpMode } from './signup.ts';

export type SignUpValues = { email: string; name: string; invitation: string };

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const required = (id: Parameters<typeof t>[0]) => t('error.required', { field: t(id).toLowerCase() });

/**
 * Reads and checks the sign-up form. Only the shape of what was typed is
 * judged here; whether the address is taken is never told (see routes).
 */
export function readSignUpForm(body: unknown, mode: SignUpMode): { values: SignUpValues; password: string; errors: FieldErrors } {
  const form = (body ?? {}) as Record<string, unknown>;
  const values = { email: normalizeEmail(form.email), name: text(form.name).trim(), invitation: text(form.invitation).trim() };
  const password = text(form.password);
  const errors: FieldErrors = {};
  if (!values.email) errors.email = required('field.email');
  else if (!isValidEmail(values.email)) errors.email = t('error.email_invalid');
  if ([...values.name].length > NAME_MAX_LENGTH) errors.name = t('error.name_long', { max: NAME_MAX_LENGTH });
  if (!password) errors.password = required('field.password');
  else {
    const problem = checkPassword(password, { email: values.email });
    if (problem) errors.password = passwordProblemMessage(problem);
  }
  if (mode === 'invite' && !values.invitation) errors.invitation = t('error.invitation_required');
  return { values, password, errors };
}

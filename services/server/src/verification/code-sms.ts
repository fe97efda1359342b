import type { Config } from '../config/env.ts';
import { t, type MessageId } from '../interactions/i18n/index.ts';
import { SmsError, type SmsSender } from '../phone/sms.ts';
import { CODE_TTL_SECONDS, issueCode, type CodeDeps, type SmsCodePurpose } from './codes.ts';

const texts: Record<SmsCodePurpose, MessageId> = {
  sign_in_phone: 'sms.code.sign_in',
  verify_phone: 'sms.code.verify_phone',
};

/**
 * The text that carries a code. Its last line is the WebOTP form
 * (`@host #code`), so a browser on the issuer's origin can offer to fill
 * the code in; other phones show it as a plain line.
 */
export function codeSms(input: { config: Pick<Config, 'brand' | 'issuer'>; purpose: SmsCodePurpose; code: string; minutes: number }): string {
  const lead = t(texts[input.purpose], { product: input.config.brand.productName, code: input.code, minutes: input.minutes });
  return `${lead}\n\n@${new URL(input.config.issuer).host} #${input.code}`;
}

export type SmsCodeDeps = Omit<CodeDeps, 'mailer'> & { sms: SmsSender | undefined };

/**
 * Issues a code for (purpose, number, flow) and texts it. `deliver`:
 *   'background' (sign-in) answers at once whether or not the text goes out, so timing tells nothing;
 *   'wait' (the owner proving a number) rejects with SmsError when the API refuses, so the page can say so;
 *   false does the same work without texting, for a number with no account.
 * Failures are logged with the API's status and code only: never the number or the text.
 */
export async function sendSmsCode(
  deps: SmsCodeDeps,
  input: { purpose: SmsCodePurpose; phone: string; userId?: string | null; flowId: string; deliver: 'background' | 'wait' | false },
): Promise<{ expiresAt: Date }> {
  const { code, expiresAt } = await issueCode({ db: deps.db, keyring: deps.keyring, purpose: input.purpose, target: input.phone, userId: input.userId, flowId: input.flowId });
  // Rendered either way so both paths do the same work.
  const body = codeSms({ config: deps.config, purpose: input.purpose, code, minutes: Math.round(CODE_TTL_SECONDS / 60) });
  if (input.deliver === false) return { expiresAt };
  const logFailure = (err: unknown) => {
    const { status, apiCode, message } = err instanceof SmsError ? err : { status: undefined, apiCode: undefined, message: 'unexpected error' };
    deps.logger.error({ status, apiCode, reason: message, purpose: input.purpose }, 'could not send code text');
  };
  if (!deps.sms) throw new SmsError('no SMS sender is configured');
  const sending = deps.sms.send({ to: input.phone, body });
  if (input.deliver === 'background') {
    sending.catch(logFailure);
    return { expiresAt };
  }
  await sending.catch((err: unknown) => {
    logFailure(err);
    throw err instanceof SmsError ? err : new SmsError('the text could not be sent');
  });
  return { expiresAt };
}

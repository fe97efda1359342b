import type { Config } from '../config/env.ts';
import { t, type MessageId } from '../interactions/i18n/index.ts';
import { html } from '../interactions/views/html.ts';
import type { Mail } from '../mail/mailer.ts';
import { mailFrame } from '../mail/templates.ts';
import type { MailCodePurpose } from './codes.ts';

const leads: Record<MailCodePurpose, MessageId> = {
  sign_in: 'mail.code.sign_in.lead',
  verify_email: 'mail.code.verify_email.lead',
  reset_password: 'mail.code.reset_password.lead',
};

/**
 * The mail that carries a one-time code, as text and HTML. Mail clients
 * ignore stylesheets, so the HTML part uses inline styles and a plain table.
 */
export function codeMail(input: { brand: Config['brand']; to: string; purpose: MailCodePurpose; code: string; minutes: number }): Mail {
  const product = input.brand.productName;
  const lead = t(leads[input.purpose], { product });
  const expiry = t('mail.code.expiry', { minutes: input.minutes });
  const ignore = t('mail.code.ignore');
  const subject = t('mail.code.subject', { product, code: input.code });
  const text = `${lead}\n\n    ${input.code}\n\n${expiry}\n\n${ignore}\n\n-- \n${product}\n`;
  const body = mailFrame(input.brand, subject, html`<tr><td style="padding:8px 28px;font-size:16px;line-height:1.5">${lead}</td></tr>
<tr><td style="padding:12px 28px"><p style="margin:0;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:32px;font-weight:700;letter-spacing:6px">${input.code}</p></td></tr>
<tr><td style="padding:8px 28px;font-size:15px;line-height:1.5">${expiry}</td></tr>
<tr><td style="padding:8px 28px 28px;font-size:13px;line-height:1.5;color:#57606a">${ignore}</td></tr>`);
  return { to: input.to, subject, text, html: body.value };
}


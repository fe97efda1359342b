import type { Config } from '../config/env.ts';
import type { CodePurpose } from '../email-code/codes.ts';
import { t, type MessageId } from '../interactions/i18n/index.ts';
import { html, type Html } from '../interactions/views/html.ts';
import type { Mail } from './mailer.ts';

const leads: Record<CodePurpose, MessageId> = {
  sign_in: 'mail.code.sign_in.lead',
  verify_email: 'mail.code.verify_email.lead',
  reset_password: 'mail.code.reset_password.lead',
};

/** Every mail's HTML: the branded card around its rows (inline styles: mail clients ignore stylesheets). */
function mailFrame(brand: Config['brand'], subject: string, rows: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${subject}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2328">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:480px;margin:0 auto;background:#ffffff;border-radius:12px">
<tr><td style="padding:28px 28px 8px;font-weight:600;font-size:18px;color:${brand.color}">${brand.productName}</td></tr>
${rows}
</table>
</body>
</html>`;
}

/**
 * The mail that carries a one-time code, as text and HTML. Mail clients
 * ignore stylesheets, so the HTML part uses inline styles and a plain table.
 */
export function codeMail(input: { brand: Config['brand']; to: string; purpose: CodePurpose; code: string; minutes: number }): Mail {
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

/** Tells the OLD address that the account's address changed (a takeover shows up in the owner's inbox). */
export function emailChangedMail(input: { brand: Config['brand']; to: string; oldEmail: string; newEmail: string }): Mail {
  const product = input.brand.productName;
  const subject = t('mail.email_changed.subject', { product });
  const lead = t('mail.email_changed.lead', { product, old: input.oldEmail, new: input.newEmail });
  const warning = t('mail.email_changed.warning');
  const text = `${lead}\n\n${warning}\n\n-- \n${product}\n`;
  const body = mailFrame(input.brand, subject, html`<tr><td style="padding:8px 28px;font-size:16px;line-height:1.5">${lead}</td></tr>
<tr><td style="padding:8px 28px 28px;font-size:15px;line-height:1.5;color:#9a2a2a">${warning}</td></tr>`);
  return { to: input.to, subject, text, html: body.value };
}

import type { Config } from '../config/env.ts';
import { t } from '../interactions/i18n/index.ts';
import { html, type Html } from '../interactions/views/html.ts';
import type { Mail } from './mailer.ts';

/** Every mail's HTML: the branded card around its rows (inline styles: mail clients ignore stylesheets). */
export function mailFrame(brand: Config['brand'], subject: string, rows: Html): Html {
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

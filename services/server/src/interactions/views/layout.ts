import type { Config } from '../../config/env.ts';
import { t } from '../i18n/index.ts';
import { html, type Html } from './html.ts';

export type Brand = Config['brand'];

/** The page shell every hosted page shares: product name, logo, stylesheet, no inline script or style. */
export function layout(brand: Brand, page: { title: string; body: Html; scripts?: string[] }): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${page.title} · ${brand.productName}</title>
<link rel="stylesheet" href="/assets/latchkey.css">
<link rel="stylesheet" href="/assets/theme.css">
${(page.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
<main class="card">
<header class="brand">
${brand.logoUrl ? html`<img src="${brand.logoUrl}" alt="" class="logo">` : ''}
<span class="product">${brand.productName}</span>
</header>
<h1>${page.title}</h1>
${page.body}
</main>
</body>
</html>`;
}

export type FieldErrors = Record<string, string | undefined>;

/** A list of problems at the top of a form, announced to screen readers, linking to each field. */
export function errorSummary(errors: FieldErrors, formError?: string): Html {
  const entries = Object.entries(errors).filter(([, message]) => message);
  if (!entries.length && !formError) return html``;
  return html`<div class="error-summary" role="alert" tabindex="-1">
<h2>${t('error.summary')}</h2>
<ul>
${formError ? html`<li>${formError}</li>` : ''}
${entries.map(([field, message]) => html`<li><a href="#${field}">${message}</a></li>`)}
</ul>
</div>`;
}

export type FieldOptions = {
  name: string;
  label: string;
  type?: string;
  value?: string;
  autocomplete?: string;
  error?: string;
  hint?: string;
  required?: boolean;
  inputmode?: string;
  autofocus?: boolean;
};

/** A labelled input whose error sits next to it and is tied to it for assistive technology. */
export function field(o: FieldOptions): Html {
  const described = [o.hint ? `${o.name}-hint` : '', o.error ? `${o.name}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${o.error ? ' has-error' : ''}">
<label for="${o.name}">${o.label}</label>
${o.hint ? html`<p class="hint" id="${o.name}-hint">${o.hint}</p>` : ''}
${o.error ? html`<p class="field-error" id="${o.name}-error">${o.error}</p>` : ''}
<input id="${o.name}" name="${o.name}" type="${o.type ?? 'text'}"${o.value ? html` value="${o.value}"` : ''}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${o.inputmode ? html` inputmode="${o.inputmode}"` : ''}${o.required === false ? '' : html` required`}${o.error ? html` aria-invalid="true"` : ''}${described ? html` aria-describedby="${described}"` : ''}${o.autofocus ? html` autofocus` : ''}>
</div>`;
}

export function csrfInput(token: string): Html {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}

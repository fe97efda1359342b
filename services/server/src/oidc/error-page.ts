import type { KoaContextWithOIDC } from 'oidc-provider';

const escape = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page a browser sees when an authorization request fails before it can
 * be sent back to the client. Shows only the OAuth error code and its public
 * description; never internals.
 */
export function renderErrorPage(ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }): void {
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  ctx.body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in error</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}code{background:#f3f3f3;padding:.1rem .3rem}</style>
</head><body><main>
<h1>Something went wrong</h1>
<p>${escape(out.error_description ?? 'The request could not be completed.')}</p>
<p>Error code: <code>${escape(out.error ?? 'server_error')}</code></p>
</main></body></html>`;
}

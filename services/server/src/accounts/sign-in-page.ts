import type { Request, Response } from 'express';
import type { InteractionDeps } from '../interactions/deps.ts';
import { t, type MessageId } from '../interactions/i18n/index.ts';
import type { LoadedInteraction } from '../interactions/interaction.ts';
import type { PromptPage } from '../interactions/routes.ts';
import { html } from '../interactions/views/html.ts';
import { csrfInput, errorSummary, field, layout, type FieldErrors } from '../interactions/views/layout.ts';
import { sendPage } from '../interactions/views/respond.ts';

/** Notices another page may ask the sign-in page to show (by id, never free text from the URL). */
const NOTICES: Record<string, MessageId> = { password_changed: 'notice.password_changed' };

export type SignInPageState = { email?: string; errors?: FieldErrors; formError?: string; notice?: string; status?: number };

/**
 * The sign-in page: email + password, or "Email me a sign-in code" from the
 * same form (a second submit button posting to the email-code route), plus
 * links to sign up and to reset a forgotten password. Works without JavaScript.
 */
export function renderSignIn(deps: InteractionDeps, req: Request, res: Response, interaction: LoadedInteraction, state: SignInPageState = {}): void {
  const { config } = deps;
  const base = `/interaction/${interaction.uid}`;
  const errors = state.errors ?? {};
  const notice = state.notice && Object.hasOwn(NOTICES, state.notice) ? NOTICES[state.notice] : undefined;
  const body = html`<p class="lead">${t('page.signin.lead', { client: interaction.client.name })}</p>
${notice ? html`<p class="notice" role="status">${t(notice)}</p>` : ''}
${errorSummary(errors, state.formError)}
<form method="post" action="${base}/password" novalidate>
${csrfInput(deps.csrf.token(req, res))}
${field({ name: 'email', label: t('field.email'), type: 'email', autocomplete: 'username', value: state.email, error: errors.email, autofocus: !state.email || Boolean(errors.email) })}
${field({ name: 'password', label: t('field.password'), type: 'password', autocomplete: 'current-password', error: errors.password, autofocus: Boolean(state.email) && !errors.email })}
<p class="links forgot"><a href="${base}/reset">${t('action.forgot_password')}</a></p>
<button type="submit" class="primary">${t('action.signin')}</button>
<p class="divider">${t('page.signin.or')}</p>
<button type="submit" class="secondary" formaction="${base}/email-code" formnovalidate>${t('action.email_code')}</button>
</form>
${config.signup === 'closed' ? '' : html`<p class="links"><a href="${base}/signup">${t('link.signup')}</a></p>`}`;
  sendPage(res, layout(config.brand, { title: t('page.signin.title'), body }), { status: state.status });
}

/** GET /interaction/:uid for prompt 'login'. `login_hint` fills the address in. */
export const loginPrompt: PromptPage = async (deps, req, res, interaction) => {
  const hint = interaction.params.login_hint;
  const notice = typeof req.query.notice === 'string' ? req.query.notice : undefined;
  renderSignIn(deps, req, res, interaction, { email: typeof hint === 'string' ? hint.trim().slice(0, 254) : undefined, notice });
};

import type { Request, Response } from 'express';
import type { InteractionDeps } from './deps.ts';
import { t, type MessageId } from './i18n/index.ts';
import type { LoadedInteraction } from './interaction.ts';
import { AMR_VALUES, type Amr, type SignInEntry, type SignInPageContext, type SignInPageState } from './method.ts';
import { enrolledFactors, savePending } from './pending-login.ts';
import type { PromptPage } from './routes.ts';
import { html } from './views/html.ts';
import { csrfInput, errorSummary, field, layout } from './views/layout.ts';
import { sendPage } from './views/respond.ts';

export type { SignInPageState } from './method.ts';

/** Notices another page may ask the sign-in page to show (by id, never free text from the URL). */
const NOTICES: Record<string, MessageId> = { password_changed: 'notice.password_changed', social_link: 'social.link.notice' };

/**
 * The sign-in page, assembled from the enabled methods' entries: one form
 * with the email field and the 'form' entries (password, "email me a
 * code"), then the 'alternative' entries (passkey, social, phone), then the
 * sign-up link. Works without JavaScript for every method but passkeys.
 */
export function renderSignIn(deps: InteractionDeps, req: Request, res: Response, interaction: LoadedInteraction, state: SignInPageState = {}): void {
  const { config } = deps;
  const ctx: SignInPageContext = { deps, req, res, interaction, base: `/interaction/${interaction.uid}`, state };
  const entries = deps.methods.flatMap((method) => method.signInEntry?.(ctx) ?? []) as SignInEntry[];
  const errors = state.errors ?? {};
  const notice = state.notice && Object.hasOwn(NOTICES, state.notice) ? NOTICES[state.notice] : undefined;
  const autocomplete = ['username', ...entries.flatMap((entry) => entry.autocomplete ?? [])].join(' ');
  const formEntries = entries.filter((entry) => entry.placement === 'form');
  const alternatives = entries.filter((entry) => entry.placement === 'alternative');
  const body = html`<p class="lead">${t('page.signin.lead', { client: interaction.client.name })}</p>
${notice ? html`<p class="notice" role="status">${t(notice)}</p>` : ''}
${errorSummary(errors, state.formError)}
<form method="post" action="${ctx.base}/password" novalidate>
${csrfInput(deps.csrf.token(req, res))}
${field({ name: 'email', label: t('field.email'), type: 'email', autocomplete, value: state.email, error: errors.email, autofocus: !state.email || Boolean(errors.email) })}
${formEntries.map((entry) => entry.html)}
</form>
${alternatives.length ? html`<div class="alternatives">${alternatives.map((entry) => entry.html)}</div>` : ''}
${config.signup === 'closed' ? '' : html`<p class="links"><a href="${ctx.base}/signup">${t('link.signup')}</a></p>`}`;
  const scripts = [...new Set(entries.flatMap((entry) => entry.scripts ?? []))];
  sendPage(res, layout(config.brand, { title: t('page.signin.title'), body, scripts }), { status: state.status });
}

/**
 * A step-up alone (acr_values=aal2 over a one-factor session, nothing else
 * wrong with the session): the person is signed in already, so only the
 * second factor is asked, for the session's own account. Anything more
 * (max_age, no session, a changed account) gets the full sign-in.
 */
async function secondFactorOnly(deps: InteractionDeps, res: Response, interaction: LoadedInteraction): Promise<boolean> {
  const userId = interaction.session?.accountId;
  const reasons = interaction.prompt.reasons;
  if (!userId || reasons.length === 0 || reasons.some((reason) => reason !== 'acr_step_up')) return false;
  if ((await enrolledFactors(deps, userId)).length === 0) return false;
  const user: { email: string | null } | undefined = await deps.db.knex('users').where({ id: userId }).first('email');
  const amr = (interaction.session?.amr ?? []).filter((value): value is Amr => AMR_VALUES.has(value as Amr) && value !== 'mfa');
  await savePending(deps, interaction.uid, { userId, identifier: user?.email ?? userId, amr, mode: 'verify' });
  res.redirect(303, `/interaction/${interaction.uid}/mfa`);
  return true;
}

/** GET /interaction/:uid for prompt 'login'. `login_hint` fills the address in. */
export const loginPrompt: PromptPage = async (deps, req, res, interaction) => {
  if (await secondFactorOnly(deps, res, interaction)) return;
  const hint = interaction.params.login_hint;
  const notice = typeof req.query.notice === 'string' ? req.query.notice : undefined;
  renderSignIn(deps, req, res, interaction, { email: typeof hint === 'string' ? hint.trim().slice(0, 254) : undefined, notice });
};

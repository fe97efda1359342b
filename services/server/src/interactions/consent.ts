import { Router, type Request, type Response } from 'express';
import { findActiveUser } from '../db/users.ts';
import { OIDC_SCOPES } from '../oidc/client-scopes.ts';
import type { InteractionDeps } from './deps.ts';
import { t } from './i18n/index.ts';
import { finishInteraction, loadInteraction, type LoadedInteraction } from './interaction.ts';
import { formatUserCode } from './device.ts';
import { describeAccess } from './requested-access.ts';
import { expiredPage, type PromptPage } from './routes.ts';
import { accessList } from './views/access-list.ts';
import { html } from './views/html.ts';
import { csrfInput, layout } from './views/layout.ts';
import { logoOrigin } from './views/provider-page.ts';
import { sendPage } from './views/respond.ts';

/**
 * The consent prompt: the client's name, what it asks for in words, Allow or
 * Deny. Allow records the decision in an oidc-provider Grant, which the
 * browser session remembers, so the same request does not ask again.
 * First-party clients skip this page (oidc/existing-grant.ts). A device
 * always gets it, with the user code to compare: it is the one decision of
 * the device flow.
 */
type ConsentDetails = {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
};

type PendingConsent = LoadedInteraction & { session: { accountId: string } };

/** The interaction, if it is a consent prompt for a signed-in person. */
function pendingConsent(interaction: LoadedInteraction | undefined): PendingConsent | undefined {
  return interaction?.prompt.name === 'consent' && interaction.session?.accountId ? (interaction as PendingConsent) : undefined;
}

/** Extends (or starts) the interaction's grant with exactly what the prompt found missing. */
async function grantMissing(deps: InteractionDeps, details: PendingConsent): Promise<string> {
  const { Grant } = deps.providers.current;
  const accountId = details.session.accountId;
  const clientId = String(details.params.client_id);
  const existing = details.grantId ? await Grant.find(details.grantId) : undefined;
  const grant = existing ?? new Grant({ accountId, clientId });
  const missing = details.prompt.details as ConsentDetails;
  if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope);
  if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes);
  return grant.save();
}

/** The code the device displays, so the person can check it is their device they connect. */
async function deviceUserCode(deps: InteractionDeps, deviceCodeId: string): Promise<string | undefined> {
  const code = await deps.providers.current.DeviceCode.find(deviceCodeId, { ignoreExpiration: true });
  return typeof code?.userCode === 'string' ? formatUserCode(code.userCode) : undefined;
}

async function allow(deps: InteractionDeps, req: Request, res: Response, details: PendingConsent): Promise<void> {
  const grantId = await grantMissing(deps, details);
  await finishInteraction(deps, req, res, { consent: { grantId } });
}

const knownScopes = new Set<string>(OIDC_SCOPES);

export const consentPage: PromptPage = async (deps, req, res, interaction) => {
  const details = pendingConsent(interaction);
  if (!details) return expiredPage(deps, res);
  const missing = interaction.prompt.details as ConsentDetails;
  const nothingMissing = !missing.missingOIDCScope?.length && !missing.missingOIDCClaims?.length && !Object.keys(missing.missingResourceScopes ?? {}).length;
  const access = await describeAccess({ knex: deps.db.knex, issuer: deps.config.issuer }, {
    // Asked to confirm again (prompt=consent): list what the client asks for,
    // only the scopes the provider knows (the raw parameter is the client's text).
    scopes: nothingMissing
      ? String(interaction.params.scope ?? '').split(' ').filter((scope) => knownScopes.has(scope))
      : (missing.missingOIDCScope ?? []),
    claims: missing.missingOIDCClaims ?? [],
    apis: missing.missingResourceScopes ?? {},
  });
  const user = await findActiveUser(deps.db.knex, details.session.accountId);
  const userCode = details.deviceCode ? await deviceUserCode(deps, details.deviceCode) : undefined;
  const brand = deps.config.brand;
  // A client ID metadata document names itself: its host stands beside the name, so a look-alike name shows where it is from.
  const host = interaction.client.documentHost;
  const lead = details.deviceCode
    ? t('device.confirm_lead', { client: interaction.client.name })
    : host ? t('page.consent.lead_document', { client: interaction.client.name, host }) : t('page.consent.lead', { client: interaction.client.name });
  const body = html`<p class="lead">${lead}</p>
${accessList(access)}
${host ? html`<p class="hint client-host">${t('consent.document_host', { host })}</p>` : ''}
${userCode ? html`<p>${t('device.allow_code')}</p>
<p class="user-code">${userCode}</p>` : ''}
${user?.email ? html`<p class="hint">${t('consent.account', { email: user.email })}</p>` : ''}
<form method="post" action="/interaction/${interaction.uid}/consent">
${csrfInput(deps.csrf.token(req, res))}
<div class="actions">
<button type="submit" name="decision" value="deny" class="secondary">${t('action.deny')}</button>
<button type="submit" name="decision" value="allow" class="primary">${t('action.allow')}</button>
</div>
</form>`;
  const title = t(details.deviceCode ? 'page.device.confirm_title' : 'page.consent.title');
  sendPage(res, layout(brand, { title, body }), { imgSrc: logoOrigin(brand) });
};

/** POST /interaction/:uid/consent (CSRF is checked for every /interaction/:uid POST in routes.ts). */
export function consentRoutes(deps: InteractionDeps): Router {
  const router = Router();
  router.post('/interaction/:uid/consent', async (req, res, next) => {
    try {
      const details = pendingConsent(await loadInteraction(deps, req, res));
      if (!details) return expiredPage(deps, res);
      const decision = (req.body as Record<string, unknown> | undefined)?.decision;
      if (decision === 'allow') return await allow(deps, req, res, details);
      if (decision === 'deny') {
        return await deps.providers.current.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'End-User denied access' },
          { mergeWithLastSubmission: false },
        );
      }
      // Neither button (a hand-made request): show the page again.
      res.redirect(303, `/interaction/${encodeURIComponent(details.uid)}`);
    } catch (error) {
      next(error);
    }
  });
  return router;
}

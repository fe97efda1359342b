import type { Request, Response } from 'express';
import type { SocialUpstream } from '../config/social.ts';
import { findLinkedIdentity, touchLinkedIdentity } from '../db/auth-providers.ts';
import type { InteractionDeps } from '../interactions/deps.ts';
import { t } from '../interactions/i18n/index.ts';
import type { LoadedInteraction } from '../interactions/interaction.ts';
import { renderSignIn } from '../interactions/sign-in-page.ts';
import { runSignIn, signInSteps } from '../interactions/sign-in.ts';
import { Raced, resolveNewIdentity, type Resolution } from './accounts.ts';
import type { UpstreamIdentity } from './identity.ts';
import { savePendingLink } from './pending-link.ts';
import { sendSocialError } from './views.ts';

/**
 * A sign-in the upstream vouched for. A linked identity signs in to its
 * account; a new one is resolved (accounts.ts). Either way the sign-in goes
 * through the shared pipeline (limits, account checks, second factor,
 * events, session) with amr ['fed'].
 */
export async function signInWithIdentity(
  deps: InteractionDeps,
  req: Request,
  res: Response,
  interaction: LoadedInteraction,
  upstream: SocialUpstream,
  identity: UpstreamIdentity,
): Promise<void> {
  let userId: string | undefined;
  for (let attempt = 0; !userId; attempt += 1) {
    const linked = await findLinkedIdentity(deps.db.knex, identity.upstream, identity.subject);
    if (linked) {
      await touchLinkedIdentity(deps.db.knex, linked.id, { email: identity.email, claims: identity.claims });
      userId = linked.user_id;
      break;
    }
    let resolution: Resolution;
    try {
      resolution = await resolveNewIdentity(deps, req, interaction, identity);
    } catch (error) {
      if (error instanceof Raced && attempt === 0) continue;
      throw error;
    }
    if (resolution.kind === 'prove') {
      await savePendingLink(deps, interaction.uid, { userId: resolution.userId, identity });
      return renderSignIn(deps, req, res, interaction, { email: resolution.email, notice: 'social_link' });
    }
    if (resolution.kind === 'closed') {
      return sendSocialError(deps.config, res, {
        message: t('social.error.no_account', { provider: upstream.label }),
        status: 403,
        back: { href: `/interaction/${interaction.uid}`, label: t('social.back') },
      });
    }
    userId = resolution.userId;
  }
  const accountId = userId;
  await runSignIn(signInSteps, {
    deps,
    req,
    res,
    interaction,
    attempt: { method: 'fed', identifier: `${identity.upstream}:${identity.subject}` },
    verify: async () => ({ ok: true, userId: accountId }),
    fail: async (reason, retryAfterSeconds) => {
      if (reason === 'rate_limited') {
        const seconds = retryAfterSeconds ?? 60;
        res.set('Retry-After', String(seconds));
        return renderSignIn(deps, req, res, interaction, { formError: t('error.rate_limited', { seconds }), status: 429 });
      }
      // A blocked or locked account: the same words as any refused sign-in.
      renderSignIn(deps, req, res, interaction, { formError: t('social.error.refused', { provider: upstream.label }), status: 403 });
    },
  });
}

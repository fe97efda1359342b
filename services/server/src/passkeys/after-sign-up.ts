import { Router, type Request, type Response } from 'express';
import { AccountError } from '../account/errors.ts';
import { acrOf } from '../interactions/acr.ts';
import type { InteractionDeps } from '../interactions/deps.ts';
import { t } from '../interactions/i18n/index.ts';
import { finishInteraction, type LoadedInteraction } from '../interactions/interaction.ts';
import type { Amr } from '../interactions/method.ts';
import { duringLogin, expiredPage } from '../interactions/routes.ts';
import { finishLogin, type SignInStep } from '../interactions/sign-in.ts';
import { sendPage } from '../interactions/views/respond.ts';
import { listCredentials } from '../db/webauthn.ts';
import { parseRegistration, registrationOptions, verifyRegistration } from './ceremony.ts';
import { addPasskey, passkeyName } from './manage.ts';
import { offerPage } from './views.ts';

/**
 * "Add a passkey?" right after sign-up, before the browser goes back to the
 * app. The sign-up's sign-in has been recorded (sign-in.ts recordSignIn);
 * this step stands in for finishLogin, keeps what the login will say in the
 * store under the interaction (bound to this browser by oidc-provider's
 * cookie), and the offer page finishes it once the person adds a passkey or
 * skips. Losing the store only means signing in again.
 */
type Offer = { userId: string; amr: Amr[] };

const OFFER_TTL_SECONDS = 10 * 60;
const offerKey = (uid: string) => `signup_offer:${uid}`;
const flowOf = (uid: string) => `offer:${uid}`;

export const offerPasskeyAfterSignUp: SignInStep = async (ctx) => {
  // An existing account that came in through the sign-up form and already has a passkey: nothing to offer.
  if ((await listCredentials(ctx.deps.db.knex, ctx.userId!)).length > 0) return finishLogin(ctx);
  const offer: Offer = { userId: ctx.userId!, amr: ctx.attempt.amr ?? [ctx.attempt.method] };
  await ctx.deps.store.set(offerKey(ctx.interaction.uid), JSON.stringify(offer), OFFER_TTL_SECONDS);
  ctx.res.redirect(303, `/interaction/${ctx.interaction.uid}/passkey/offer`);
  return 'stop';
};

async function loadOffer(deps: InteractionDeps, uid: string): Promise<Offer | undefined> {
  const stored = await deps.store.get(offerKey(uid));
  return stored ? (JSON.parse(stored) as Offer) : undefined;
}

export function offerRoutes(deps: InteractionDeps): Router {
  const router = Router();
  const base = (interaction: LoadedInteraction) => `/interaction/${interaction.uid}`;
  const show = (req: Request, res: Response, interaction: LoadedInteraction, o: { formError?: string; status?: number } = {}) =>
    sendPage(res, offerPage({ brand: deps.config.brand, base: base(interaction), csrf: deps.csrf.token(req, res), formError: o.formError }), { status: o.status });

  /** The login the sign-up earned, once: a second click (or a replayed form) finds it gone. */
  const finish = async (req: Request, res: Response, interaction: LoadedInteraction, offer: Offer) => {
    if (!(await deps.store.setIfAbsent(`${offerKey(interaction.uid)}:done`, '1', OFFER_TTL_SECONDS))) return expiredPage(deps, res);
    await deps.store.del(offerKey(interaction.uid));
    await finishInteraction(deps, req, res, { login: { accountId: offer.userId, amr: offer.amr, acr: acrOf(offer.amr), remember: true } });
  };

  const withOffer = (handler: (req: Request, res: Response, interaction: LoadedInteraction, offer: Offer) => Promise<void>) =>
    duringLogin(deps, async (req, res, interaction) => {
      const offer = await loadOffer(deps, interaction.uid);
      if (!offer) return expiredPage(deps, res);
      await handler(req, res, interaction, offer);
    });

  router.get('/interaction/:uid/passkey/offer', withOffer(async (req, res, interaction) => show(req, res, interaction)));

  router.post(
    '/interaction/:uid/passkey/offer/options',
    withOffer(async (_req, res, interaction, offer) => {
      const user: { id: string; email: string | null; display_name: string | null } = await deps.db.knex('users').where({ id: offer.userId }).first('id', 'email', 'display_name');
      const options = await registrationOptions(deps, {
        flowId: flowOf(interaction.uid),
        user,
        exclude: await listCredentials(deps.db.knex, offer.userId),
        userVerification: 'required',
      });
      res.set('Cache-Control', 'no-store').json(options);
    }),
  );

  router.post(
    '/interaction/:uid/passkey/offer',
    withOffer(async (req, res, interaction, offer) => {
      const parsed = parseRegistration(req.body?.response);
      if (!parsed) return show(req, res, interaction, { formError: t(req.body?.response ? 'passkeys.register_failed' : 'passkeys.needs_js'), status: 400 });
      const result = await verifyRegistration(deps, { flowId: flowOf(interaction.uid), parsed, userId: offer.userId, requireUserVerification: true });
      if (!result.ok) return show(req, res, interaction, { formError: t('passkeys.register_failed'), status: 400 });
      const actor = { userId: offer.userId, ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 512), clientId: interaction.client.clientId };
      try {
        await addPasskey(deps, actor, result.credential, passkeyName(req.body?.name, req.get('user-agent')));
      } catch (error) {
        if (!(error instanceof AccountError)) throw error;
        return show(req, res, interaction, { formError: error.message, status: error.status });
      }
      await finish(req, res, interaction, offer);
    }),
  );

  router.post('/interaction/:uid/passkey/offer/skip', withOffer(finish));
  return router;
}

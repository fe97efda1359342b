import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { AccountError } from '../account/errors.ts';
import { findCredential, listCredentials } from '../db/webauthn.ts';
import type { InteractionDeps } from '../interactions/deps.ts';
import { t } from '../interactions/i18n/index.ts';
import type { LoadedInteraction } from '../interactions/interaction.ts';
import { limitFlowStarts } from '../interactions/flow-limit.ts';
import { loadPending, type PendingLogin } from '../interactions/pending-login.ts';
import { duringLogin, expiredPage } from '../interactions/routes.ts';
import { completeSecondFactor, renderSecondFactorPage } from '../interactions/second-factor.ts';
import { renderSignIn } from '../interactions/sign-in-page.ts';
import { runSignIn, signInSteps, type SignInContext } from '../interactions/sign-in.ts';
import { offerRoutes } from './after-sign-up.ts';
import { passkeyAssets } from './assets.ts';
import { amrOf, authenticationOptions, parseAssertion, parseRegistration, registrationOptions, verifyAssertion, verifyRegistration } from './ceremony.ts';
import { addPasskey, passkeyName } from './manage.ts';

/**
 * Passkeys in the hosted sign-in (CSRF is checked for every POST under
 * /interaction/:uid; options are asked for with the form's token):
 *   POST /interaction/:uid/passkey[/options]        sign in with a passkey alone (discoverable, user verification required)
 *   POST /interaction/:uid/passkey/mfa[/options]    a passkey as the second factor of the pending account
 *   POST /interaction/:uid/passkey/enrol[/options]  add one when the policy requires a second factor the account lacks
 *   /interaction/:uid/passkey/offer...              "Add a passkey?" right after sign-up (after-sign-up.ts)
 * plus the two scripts the forms need (assets.ts). Each challenge is bound
 * to its flow: `sign-in:`, `mfa:`, `enrol:` and the interaction uid.
 */
export function passkeyRoutes(deps: InteractionDeps): Router {
  const router = Router();
  const { knex } = deps.db;
  router.use(passkeyAssets());
  router.post(['/interaction/:uid/passkey/options', '/interaction/:uid/passkey/mfa/options', '/interaction/:uid/passkey/enrol/options'], limitFlowStarts(deps, 'json'));

  const json = (res: Response, body: unknown, status = 200) => {
    res.status(status).set('Cache-Control', 'no-store').json(body);
  };
  const responseError = (req: Request) => t(req.body?.response ? 'passkeys.failed' : 'passkeys.needs_js');

  // The same options for everyone: no allowCredentials, nothing that depends on a typed address.
  router.post(
    '/interaction/:uid/passkey/options',
    duringLogin(deps, async (_req, res, interaction) => {
      json(res, await authenticationOptions(deps, { flowId: `sign-in:${interaction.uid}`, userVerification: 'required' }));
    }),
  );

  router.post(
    '/interaction/:uid/passkey',
    duringLogin(deps, async (req, res, interaction) => {
      const parsed = parseAssertion(req.body?.response);
      if (!parsed) return renderSignIn(deps, req, res, interaction, { formError: responseError(req), status: 400 });
      // The limits count per (owner's address, IP); an unknown credential counts under its own id.
      const owner = await findCredential(knex, parsed.response.id);
      const email = owner ? ((await knex('users').where({ id: owner.user_id }).first('email')) as { email: string | null } | undefined)?.email : undefined;
      const identifier = email ?? `passkey:${createHash('sha256').update(parsed.response.id).digest('base64url').slice(0, 22)}`;
      const ctx: SignInContext = {
        deps,
        req,
        res,
        interaction,
        // A passkey with user verification is two factors on its own (something held, something known or been).
        attempt: { method: 'hwk', identifier, amr: ['hwk', 'mfa'] },
        verify: async () => {
          const result = await verifyAssertion(deps, { flowId: `sign-in:${interaction.uid}`, parsed, requireUserVerification: true });
          if (!result.ok) {
            ctx.refusal = result.reason;
            return { ok: false };
          }
          ctx.attempt.method = result.amr;
          ctx.attempt.amr = [result.amr, 'mfa'];
          return { ok: true, userId: result.credential.user_id };
        },
        fail: async (reason, retryAfterSeconds) => {
          if (reason === 'rate_limited') {
            const seconds = retryAfterSeconds ?? 60;
            res.set('Retry-After', String(seconds));
            return renderSignIn(deps, req, res, interaction, { formError: t('error.rate_limited', { seconds }), status: 429 });
          }
          renderSignIn(deps, req, res, interaction, { formError: t('passkeys.failed'), status: 401 });
        },
      };
      await runSignIn(signInSteps, ctx);
    }),
  );

  /** Handlers that serve only the account whose first factor is pending, in the given mode. */
  const whilePending = (mode: PendingLogin['mode'], handler: (req: Request, res: Response, interaction: LoadedInteraction, pending: PendingLogin | undefined) => Promise<void>) =>
    duringLogin(deps, async (req, res, interaction) => {
      const pending = await loadPending(deps, interaction.uid);
      await handler(req, res, interaction, pending?.mode === mode ? pending : undefined);
    });

  const secondFactorFailure = (req: Request, res: Response, interaction: LoadedInteraction, pending: PendingLogin): SignInContext['fail'] => async (reason, retryAfterSeconds) => {
    if (reason === 'rate_limited') {
      const seconds = retryAfterSeconds ?? 60;
      res.set('Retry-After', String(seconds));
      return renderSecondFactorPage(deps, req, res, interaction, pending, { formError: t('error.rate_limited', { seconds }), status: 429 });
    }
    await renderSecondFactorPage(deps, req, res, interaction, pending, { formError: t('passkeys.failed'), status: 401 });
  };

  router.post(
    '/interaction/:uid/passkey/mfa/options',
    whilePending('verify', async (_req, res, interaction, pending) => {
      if (!pending) return json(res, { error: 'expired' }, 400);
      const allow = await listCredentials(knex, pending.userId);
      // Presence is the second factor here (the password was the first): no prompt for a PIN or biometric on top.
      json(res, await authenticationOptions(deps, { flowId: `mfa:${interaction.uid}`, userId: pending.userId, allow, userVerification: 'discouraged' }));
    }),
  );

  router.post(
    '/interaction/:uid/passkey/mfa',
    whilePending('verify', async (req, res, interaction, pending) => {
      if (!pending) return expiredPage(deps, res);
      const parsed = parseAssertion(req.body?.response);
      if (!parsed) return renderSecondFactorPage(deps, req, res, interaction, pending, { formError: responseError(req), status: 400 });
      const credential = await findCredential(knex, parsed.response.id);
      await completeSecondFactor({
        deps,
        req,
        res,
        interaction,
        amr: credential ? amrOf(credential.device_type) : 'hwk',
        verify: async (current) =>
          current.mode === 'verify' && (await verifyAssertion(deps, { flowId: `mfa:${interaction.uid}`, parsed, userId: current.userId, requireUserVerification: false })).ok,
        fail: secondFactorFailure(req, res, interaction, pending),
      });
    }),
  );

  router.post(
    '/interaction/:uid/passkey/enrol/options',
    whilePending('enrol', async (_req, res, interaction, pending) => {
      if (!pending) return json(res, { error: 'expired' }, 400);
      const user: { id: string; email: string | null; display_name: string | null } = await knex('users').where({ id: pending.userId }).first('id', 'email', 'display_name');
      json(res, await registrationOptions(deps, { flowId: `enrol:${interaction.uid}`, user, exclude: await listCredentials(knex, pending.userId), userVerification: 'preferred' }));
    }),
  );

  router.post(
    '/interaction/:uid/passkey/enrol',
    whilePending('enrol', async (req, res, interaction, pending) => {
      if (!pending) return expiredPage(deps, res);
      const parsed = parseRegistration(req.body?.response);
      if (!parsed) return renderSecondFactorPage(deps, req, res, interaction, pending, { formError: responseError(req), status: 400 });
      // Verified before the pipeline runs, which then saves it: the new passkey is the second factor.
      const result = await verifyRegistration(deps, { flowId: `enrol:${interaction.uid}`, parsed, userId: pending.userId, requireUserVerification: false });
      await completeSecondFactor({
        deps,
        req,
        res,
        interaction,
        amr: result.ok ? result.amr : 'hwk',
        verify: async (current) => {
          if (!result.ok || current.mode !== 'enrol' || current.userId !== result.credential.userId) return false;
          const actor = { userId: current.userId, ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 512), clientId: interaction.client.clientId };
          try {
            await addPasskey(deps, actor, result.credential, passkeyName(req.body?.name, req.get('user-agent')));
          } catch (error) {
            if (error instanceof AccountError) return false;
            throw error;
          }
          return true;
        },
        fail: secondFactorFailure(req, res, interaction, pending),
      });
    }),
  );

  router.use(offerRoutes(deps));
  return router;
}

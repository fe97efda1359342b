import { Router, type Request, type Response } from 'express';
import { findUserByVerifiedPhone, hasVerifiedPhone } from '../db/phones.ts';
import type { InteractionDeps } from '../interactions/deps.ts';
import { t } from '../interactions/i18n/index.ts';
import type { LoadedInteraction } from '../interactions/interaction.ts';
import { duringLogin } from '../interactions/routes.ts';
import { runSignIn, signInSteps } from '../interactions/sign-in.ts';
import { sendPage } from '../interactions/views/respond.ts';
import { sendSmsCode } from '../verification/code-sms.ts';
import { consumeCode, normalizeCode } from '../verification/codes.ts';
import { limitCodeRequest } from '../verification/limits.ts';
import { parsePhone } from './number.ts';
import { phoneCodePage, phonePage } from './views.ts';

type Outcome = 'format' | 'invalid' | 'burned' | 'no_code' | 'ok';

/**
 * Sign-in with a texted code:
 *   GET  /interaction/:uid/phone         ask for the number
 *   POST /interaction/:uid/phone         text a code (or pretend to), show the code page
 *   POST /interaction/:uid/phone/verify  check the code through the sign-in pipeline (amr 'sms')
 * The rules are the email code's: the same page, status and work whether or
 * not an active account has the number verified; requests limited per
 * (number, IP) and per IP; code entry by the pipeline's 'code-entry' limit.
 */
export function phoneRoutes(deps: InteractionDeps): Router {
  const router = Router();
  const withLogin = (handler: Parameters<typeof duringLogin>[1]) => duringLogin(deps, handler);
  const region = deps.config.phoneRegion;

  const showPhonePage = (req: Request, res: Response, interaction: LoadedInteraction, o: { phone?: string; error?: string; status?: number }) =>
    sendPage(res, phonePage({ brand: deps.config.brand, uid: interaction.uid, client: interaction.client.name, csrf: deps.csrf.token(req, res), region, ...o }), {
      status: o.status,
    });

  const showCodePage = (req: Request, res: Response, interaction: LoadedInteraction, o: { phone: string; resent?: boolean; error?: string; status?: number }) =>
    sendPage(res, phoneCodePage({ brand: deps.config.brand, uid: interaction.uid, csrf: deps.csrf.token(req, res), ...o }), { status: o.status });

  router.get(
    '/interaction/:uid/phone',
    withLogin(async (req, res, interaction) => showPhonePage(req, res, interaction, {})),
  );

  router.post(
    '/interaction/:uid/phone',
    withLogin(async (req, res, interaction) => {
      const typed: unknown = req.body?.phone;
      const parsed = parsePhone(typed, region);
      if (!parsed.ok) {
        const error = parsed.reason === 'missing' ? t('error.required', { field: t('field.phone').toLowerCase() }) : t('error.phone_invalid');
        return showPhonePage(req, res, interaction, { phone: typeof typed === 'string' ? typed.slice(0, 40) : undefined, error, status: 400 });
      }
      const phone = parsed.e164;
      const limit = await limitCodeRequest(deps, req, phone);
      if (!limit.ok) {
        res.set('Retry-After', String(limit.retryAfterSeconds));
        return showPhonePage(req, res, interaction, { phone, error: t('error.rate_limited', { seconds: limit.retryAfterSeconds }), status: 429 });
      }
      // Same work, same page for a number no active account has: a code is issued either way, only texted to a real one.
      const user = await findUserByVerifiedPhone(deps.db.knex, phone);
      const active = user?.status === 'active' ? user : undefined;
      await sendSmsCode(deps, { purpose: 'sign_in_phone', phone, userId: active?.id ?? null, flowId: interaction.uid, deliver: active ? 'background' : false });
      showCodePage(req, res, interaction, { phone, resent: req.body?.resend === '1' });
    }),
  );

  router.post(
    '/interaction/:uid/phone/verify',
    withLogin(async (req, res, interaction) => {
      const parsed = parsePhone(req.body?.phone, region);
      if (!parsed.ok) return showPhonePage(req, res, interaction, { error: t('error.phone_invalid'), status: 400 });
      const phone = parsed.e164;

      let outcome: Outcome | undefined;
      await runSignIn(signInSteps, {
        deps,
        req,
        res,
        interaction,
        attempt: { method: 'sms', identifier: phone },
        verify: async () => {
          const code = normalizeCode(req.body?.code);
          if (!code) {
            outcome = 'format';
            return { ok: false };
          }
          const check = await consumeCode({ db: deps.db, keyring: deps.keyring, purpose: 'sign_in_phone', target: phone, flowId: interaction.uid, code });
          outcome = check.ok ? 'ok' : check.reason;
          // A code for a number without an account proves nothing; nor does one whose number has left the account since.
          if (!check.ok || !check.userId || !(await hasVerifiedPhone(deps.db.knex, check.userId, phone))) return { ok: false };
          return { ok: true, userId: check.userId };
        },
        fail: async (reason, retryAfterSeconds) => {
          // limitAttempts (the 'code-entry' limit) refuses first, with Retry-After set.
          if (reason === 'rate_limited') return showCodePage(req, res, interaction, { phone, error: t('error.rate_limited', { seconds: retryAfterSeconds ?? 60 }), status: 429 });
          const error = outcome === 'format' ? t('error.phone_code_format') : outcome === 'burned' ? t('error.code_burned') : t('error.code_invalid');
          showCodePage(req, res, interaction, { phone, error, status: 400 });
        },
      });
    }),
  );

  return router;
}

import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { CODE_TTL_SECONDS, checkCode, sendCode, type CodeCheck } from '../verification/codes.ts';
import { completeUnverifiedAccount, markEmailVerified } from '../db/users.ts';
import { beginCodeEntry } from '../verification/limits.ts';
import { recordAuditEvent } from '../events/audit.ts';
import { publishAfterCommit } from '../events/publish.ts';
import { setRetryAfter, type LimitName } from '../ratelimit/index.ts';
import { readCookie } from '../interactions/csrf.ts';
import type { InteractionDeps } from '../interactions/deps.ts';
import { t } from '../interactions/i18n/index.ts';
import { loadInteraction, type LoadedInteraction } from '../interactions/interaction.ts';
import { expiredPage } from '../interactions/routes.ts';
import { finishLogin, runSignIn, signInSteps, type Verified } from '../interactions/sign-in.ts';
import type { FieldErrors } from '../interactions/views/layout.ts';
import { sendPage } from '../interactions/views/respond.ts';
import { hashPassword } from '../password/hash.ts';
import { dropPendingSignUp, findPendingFlow, loadPendingSignUp, savePendingSignUp, type PendingSignUp } from './pending-signup.ts';
import { readSignUpForm, type SignUpValues } from './signup-form.ts';
import { completeInvitedSignUp, registerAccount } from './signup.ts';
import { signUpClosedPage, signUpCodePage, signUpDonePage, signUpPage, type SignUpPlace } from './views.ts';

const MINUTES = Math.round(CODE_TTL_SECONDS / 60);
// Long enough to ask for a new code a few times; a lost flow only means filling the form again.
const PENDING_TTL_SECONDS = CODE_TTL_SECONDS * 3;

/** One sign-up in progress: where its pages live and the id its codes are bound to. */
type Flow = { place: SignUpPlace; flowId: string; interaction?: LoadedInteraction };

/**
 * Sign-up with email, name and password, then the emailed code:
 *   /interaction/:uid/signup[/verify|/resend]  inside an authorization request (ends signed in)
 *   /signup[/verify|/resend]                   the page an invitation link opens (ends on "your account is ready")
 * An address that already has an account gets exactly the same pages: its
 * owner is mailed a sign-in code instead of a verification code.
 */
export function signUpRoutes(deps: InteractionDeps): Router {
  const router = Router();
  const { config } = deps;
  const secure = config.issuer.startsWith('https://');
  // __Host- over https: a sibling subdomain cannot plant a flow id of its choosing.
  const flowCookie = secure ? '__Host-lk_signup' : 'lk_signup';

  // The stand-alone pages sit outside /interaction, so they parse and check CSRF themselves.
  router.use('/signup', express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
  router.use('/signup', (req, res, next) => (req.method === 'POST' ? deps.csrf.verify(req, res, next) : next()));

  const inInteraction = async (req: Request, res: Response): Promise<Flow | undefined> => {
    const interaction = await loadInteraction(deps, req, res);
    // Sign-up ends in a sign-in: only a flow that asks for one may use it.
    if (!interaction || interaction.prompt.name !== 'login') return undefined;
    const signInUrl = `/interaction/${interaction.uid}`;
    return { place: { base: `${signInUrl}/signup`, signInUrl, client: interaction.client.name }, flowId: interaction.uid, interaction };
  };

  const standAlone = async (req: Request, res: Response): Promise<Flow> => {
    let id = readCookie(req, flowCookie);
    if (!id || !/^[\w-]{43}$/.test(id)) {
      id = randomBytes(32).toString('base64url');
      res.cookie(flowCookie, id, { httpOnly: true, sameSite: 'lax', secure, path: secure ? '/' : '/signup' });
    }
    // Codes and pending state are keyed by a hash, so the store never holds the cookie itself.
    // A flow begun before a secret rotation keeps the id it was hashed to under the older secret.
    const flowIds = deps.keyring.hashes('cookie', id).map((hash) => `signup:${hash}`);
    return { place: { base: '/signup' }, flowId: (await findPendingFlow(deps.store, flowIds)) ?? flowIds[0]! };
  };

  const page = (handler: (req: Request, res: Response, flow: Flow) => Promise<void>, interactive: boolean): RequestHandler => {
    return async (req, res, next) => {
      try {
        const flow = interactive ? await inInteraction(req, res) : await standAlone(req, res);
        if (!flow) return expiredPage(deps, res);
        await handler(req, res, flow);
      } catch (error) {
        next(error);
      }
    };
  };

  const showForm = (req: Request, res: Response, flow: Flow, o: { values?: Partial<SignUpValues>; errors?: FieldErrors; formError?: string; status?: number }) => {
    const showInvitation = config.signup === 'invite' || Boolean(o.values?.invitation);
    sendPage(res, signUpPage({ brand: config.brand, place: flow.place, csrf: deps.csrf.token(req, res), showInvitation, ...o }), { status: o.status });
  };

  const showCode = (req: Request, res: Response, flow: Flow, pending: PendingSignUp, o: { error?: string; status?: number } = {}) =>
    sendPage(res, signUpCodePage({ brand: config.brand, place: flow.place, csrf: deps.csrf.token(req, res), email: pending.email, minutes: MINUTES, error: o.error }), {
      status: o.status,
    });

  const showClosed = (res: Response, flow: Flow) => sendPage(res, signUpClosedPage({ brand: config.brand, signInUrl: flow.place.signInUrl }), { status: 403 });

  const restart = (res: Response, flow: Flow) => res.redirect(303, flow.place.base);

  /** Counts the request against a named limit (per IP and per address); the message to show when refused. */
  const limited = async (req: Request, res: Response, name: LimitName, email: string): Promise<string | undefined> => {
    const verdict = await deps.limiter.consume(name, { ip: req.ip, account: email.toLowerCase() });
    if (verdict.allowed) return undefined;
    setRetryAfter(res, verdict);
    return t('error.rate_limited', { seconds: verdict.retryAfterSeconds });
  };

  const form: Parameters<typeof page>[0] = async (req, res, flow) => {
    if (config.signup === 'closed') return showClosed(res, flow);
    const hint = flow.interaction?.params.login_hint;
    const invitation = typeof req.query.invitation === 'string' ? req.query.invitation.slice(0, 200) : '';
    showForm(req, res, flow, { values: { email: typeof hint === 'string' ? hint : '', invitation } });
  };

  const submit: Parameters<typeof page>[0] = async (req, res, flow) => {
    if (config.signup === 'closed') return showClosed(res, flow);
    const { values, password, errors } = readSignUpForm(req.body, config.signup);
    if (Object.values(errors).some(Boolean)) return showForm(req, res, flow, { values, errors, status: 400 });

    const limit = await limited(req, res, 'sign-up', values.email);
    if (limit) return showForm(req, res, flow, { values, formError: limit, status: 429 });

    // Hashed before we know whether the address is taken, so both answers cost the same.
    const passwordHash = await hashPassword(password);
    const result = await registerAccount(
      { knex: deps.db.knex, keyring: deps.keyring, store: deps.store, mode: config.signup },
      {
        email: values.email,
        displayName: values.name || null,
        invitationCode: values.invitation || undefined,
        origin: { ip: req.ip, userAgent: req.get('user-agent'), clientId: flow.interaction?.client.clientId },
      },
    );
    if (result.status === 'closed') return showClosed(res, flow);
    if (result.status === 'invitation_invalid') {
      const error = values.invitation ? t('error.invitation_invalid') : t('error.invitation_required');
      return showForm(req, res, flow, { values, errors: { invitation: error }, status: 400 });
    }

    const pending: PendingSignUp =
      result.status === 'created'
        ? { email: values.email, userId: result.userId, displayName: values.name || null, passwordHash, purpose: 'verify_email', deliver: true }
        : result.status === 'invited'
          ? // Nothing is written (and the invitation is not used) until the code proves the address.
            { email: values.email, userId: null, invitationId: result.invitationId, displayName: values.name || null, passwordHash, purpose: 'verify_email', deliver: true }
          : {
            email: values.email,
            to: result.email || values.email,
            userId: result.userId,
            displayName: values.name || null,
            passwordHash,
            // Its owner gets a code that signs them in; an account nobody proved yet can still be claimed by whoever reads the mail.
            purpose: result.verified ? 'sign_in' : 'verify_email',
            deliver: result.active,
          };
    await sendCode(deps, { purpose: pending.purpose, email: pending.email, to: pending.to, userId: pending.userId, flowId: flow.flowId, deliver: pending.deliver });
    await savePendingSignUp(deps.store, flow.flowId, pending, PENDING_TTL_SECONDS);
    res.redirect(303, `${flow.place.base}/verify`);
  };

  const codeForm: Parameters<typeof page>[0] = async (req, res, flow) => {
    const pending = await loadPendingSignUp(deps.store, flow.flowId);
    if (!pending) return restart(res, flow);
    showCode(req, res, flow, pending);
  };

  const resend: Parameters<typeof page>[0] = async (req, res, flow) => {
    const pending = await loadPendingSignUp(deps.store, flow.flowId);
    if (!pending) return restart(res, flow);
    const limit = await limited(req, res, 'code-request', pending.email);
    if (limit) return showCode(req, res, flow, pending, { error: limit, status: 429 });
    await sendCode(deps, { purpose: pending.purpose, email: pending.email, to: pending.to, userId: pending.userId, flowId: flow.flowId, deliver: pending.deliver });
    await savePendingSignUp(deps.store, flow.flowId, pending, PENDING_TTL_SECONDS);
    res.redirect(303, `${flow.place.base}/verify`);
  };

  /**
   * Checks the code; on success the address is proved and the account completed
   * (for an invitation: created, and the invitation redeemed). `invitationLost`
   * when the code was right but the invitation was used up meanwhile.
   */
  const proveAddress = async (req: Request, flow: Flow, pending: PendingSignUp): Promise<{ verified: Verified; check: CodeCheck; invitationLost?: boolean }> => {
    const check = await checkCode(deps, { purpose: pending.purpose, email: pending.email, flowId: flow.flowId, code: req.body?.code });
    if (!check.ok || check.userId !== pending.userId) return { verified: { ok: false }, check };
    const origin = { ip: req.ip, userAgent: req.get('user-agent'), clientId: flow.interaction?.client.clientId };
    if (pending.invitationId) {
      const done = await completeInvitedSignUp(
        { knex: deps.db.knex, store: deps.store },
        { invitationId: pending.invitationId, email: pending.email, displayName: pending.displayName, passwordHash: pending.passwordHash, origin },
      );
      await dropPendingSignUp(deps.store, flow.flowId);
      if (done.status !== 'created') return { verified: { ok: false }, check, invitationLost: true };
      return { verified: { ok: true, userId: done.userId }, check };
    }
    const userId = pending.userId;
    if (!userId) return { verified: { ok: false }, check };
    await deps.db.knex.transaction(async (trx) => {
      const completed =
        pending.purpose === 'verify_email'
          ? await completeUnverifiedAccount(trx, { id: userId, email: pending.email, displayName: pending.displayName, passwordHash: pending.passwordHash })
          : await markEmailVerified(trx, userId);
      if (completed) {
        await recordAuditEvent(trx, { type: 'email.verified', actorUserId: userId, subjectUserId: userId, ...origin, data: { via: 'sign_up' } });
        publishAfterCommit(trx, deps.store, 'user:updated', { userId });
      }
    });
    await dropPendingSignUp(deps.store, flow.flowId);
    return { verified: { ok: true, userId }, check };
  };

  const codeError = (check: CodeCheck | undefined) =>
    check && !check.ok && check.reason === 'format' ? t('error.code_format') : check && !check.ok && check.reason === 'burned' ? t('error.code_burned') : t('error.code_invalid');

  const verify: Parameters<typeof page>[0] = async (req, res, flow) => {
    const pending = await loadPendingSignUp(deps.store, flow.flowId);
    if (!pending) return restart(res, flow);
    const interaction = flow.interaction;
    if (!interaction) {
      // Stand-alone (invitation link): no app is waiting, so the account is ready and the person signs in from their app.
      const entry = await beginCodeEntry(deps, req, pending.email);
      if (!entry.ok) {
        res.set('Retry-After', String(entry.retryAfterSeconds));
        return showCode(req, res, flow, pending, { error: t('error.rate_limited', { seconds: entry.retryAfterSeconds }), status: 429 });
      }
      const { verified, check, invitationLost } = await proveAddress(req, flow, pending);
      await entry.done(verified.ok || Boolean(invitationLost));
      if (invitationLost) return invitationGone(req, res, flow, pending);
      if (!verified.ok) return showCode(req, res, flow, pending, { error: codeError(check), status: 400 });
      return sendPage(res, signUpDonePage({ brand: config.brand }));
    }
    let check: CodeCheck | undefined;
    let invitationLost = false;
    // A method may offer to set itself up before the app gets the new account back (passkeys: "Add a passkey?").
    const offer = deps.methods.find((method) => method.afterSignUp)?.afterSignUp;
    await runSignIn(offer ? signInSteps.map((step) => (step === finishLogin ? offer : step)) : signInSteps, {
      deps,
      req,
      res,
      interaction,
      attempt: { method: 'otp', identifier: pending.email },
      verify: async () => {
        const outcome = await proveAddress(req, flow, pending);
        check = outcome.check;
        invitationLost = outcome.invitationLost === true;
        return outcome.verified;
      },
      fail: async (reason, retryAfterSeconds) => {
        if (reason === 'rate_limited') {
          const seconds = retryAfterSeconds ?? 60;
          res.set('Retry-After', String(seconds));
          return showCode(req, res, flow, pending, { error: t('error.rate_limited', { seconds }), status: 429 });
        }
        if (invitationLost) return invitationGone(req, res, flow, pending);
        showCode(req, res, flow, pending, { error: codeError(check), status: 400 });
      },
    });
  };

  /** The address was proved, but the invitation was redeemed (or revoked) meanwhile: back to the form. */
  const invitationGone = (req: Request, res: Response, flow: Flow, pending: PendingSignUp) =>
    showForm(req, res, flow, { values: { email: pending.email, name: pending.displayName ?? '', invitation: '' }, errors: { invitation: t('error.invitation_invalid') }, status: 409 });

  for (const [interactive, base] of [[true, '/interaction/:uid/signup'], [false, '/signup']] as const) {
    router.get(base, page(form, interactive));
    router.post(base, page(submit, interactive));
    router.get(`${base}/verify`, page(codeForm, interactive));
    router.post(`${base}/verify`, page(verify, interactive));
    router.post(`${base}/resend`, page(resend, interactive));
  }
  return router;
}

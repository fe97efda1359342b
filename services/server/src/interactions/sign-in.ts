import type { Request, Response } from 'express';
import { recordAuditEvent } from '../events/audit.ts';
import { setRetryAfter, type Attempt, type LimitName, type LimitSubject } from '../ratelimit/index.ts';
import { acrOf } from './acr.ts';
import type { InteractionDeps } from './deps.ts';
import { finishInteraction, type LoadedInteraction } from './interaction.ts';
import type { Amr } from './method.ts';
import { savePending, secondFactorDemand } from './pending-login.ts';

/**
 * The sign-in pipeline every method goes through, as small named steps
 * (the shape of oidc-provider's authorization actions). A method supplies
 * only `verify`; limits, account checks, events and the session come from
 * the shared steps, so a new method (passkeys, TOTP, social) cannot forget one.
 */
export type SignInAttempt = {
  /** The method's RFC 8176 amr value: 'pwd', 'otp', 'hwk', ... */
  method: Amr;
  /** The identifier the person typed (email), for per-account limits and audit; never logged in full. */
  identifier: string;
  /** What the session will record; [method] unless the method proves more (a passkey with user verification). */
  amr?: Amr[];
  /** Set when this attempt is the second factor after a pending first one (second-factor.ts). */
  secondFactor?: boolean;
};

export type Verified = { ok: true; userId: string } | { ok: false };

export type SignInStep = (ctx: SignInContext) => Promise<void | 'stop'>;

export type SignInContext = {
  deps: InteractionDeps;
  req: Request;
  res: Response;
  interaction: LoadedInteraction;
  attempt: SignInAttempt;
  verify: () => Promise<Verified>;
  /**
   * Called when a step refuses the attempt; renders the method's page with an
   * error. 'rate_limited' must answer 429 (Retry-After is already set).
   * A blocked account fails exactly like wrong credentials, so nobody
   * learns which accounts exist or are blocked.
   */
  fail: (reason: 'credentials' | 'rate_limited', retryAfterSeconds?: number) => Promise<void>;
  userId?: string;
  /** Why the last refusal happened, for the audit log only (the person is told 'credentials'). */
  refusal?: string;
  /** The limiter's reservation for this attempt, settled by the steps. */
  reservation?: Attempt;
  /** Undone when the pipeline ends, however it ends (an unsettled reservation is refunded). */
  cleanup?: () => Promise<void>;
};

/** Steps run in order; a step returns 'stop' once it has answered the request. */
export async function runSignIn(steps: readonly SignInStep[], ctx: SignInContext): Promise<void> {
  const refuse = ctx.fail;
  ctx.fail = async (reason, retryAfterSeconds) => {
    ctx.deps.metrics?.signIns.inc({ method: ctx.attempt.method, outcome: reason === 'rate_limited' ? 'rate_limited' : 'failure' });
    await refuse(reason, retryAfterSeconds);
  };
  try {
    for (const step of steps) {
      if ((await step(ctx)) === 'stop') return;
    }
  } finally {
    await ctx.cleanup?.();
  }
}

/** Which named limit a method's wrong answers count against: typed codes have their own. */
const limitOf = (method: SignInAttempt['method']): LimitName => (method === 'otp' || method === 'sms' ? 'code-entry' : 'sign-in');
const subjectOf = (ctx: SignInContext): LimitSubject => ({ ip: ctx.req.ip, account: ctx.attempt.identifier });

const userAgentOf = (req: Request) => req.get('user-agent') ?? undefined;

/** "ad***@example.com": enough for an operator to spot a pattern, not a list of addresses. */
function maskIdentifier(identifier: string): string {
  const value = identifier.trim().toLowerCase();
  const at = value.lastIndexOf('@');
  const local = at > 0 ? value.slice(0, at) : value;
  return `${local.slice(0, 2)}***${at > 0 ? value.slice(at).slice(0, 100) : ''}`;
}

/**
 * Counts a refused attempt: the limiter (progressive per (account, IP),
 * per IP), the account's failure counter and a sign_in.failure event. The
 * same statements run whether or not the account exists (the UPDATE simply
 * matches no row), so timing does not tell them apart.
 */
async function countFailure(ctx: SignInContext): Promise<void> {
  const { knex } = ctx.deps.db;
  await knex.transaction(async (trx) => {
    const rows: Array<{ id: string }> = await trx('users')
      // The identifier is an address, or a verified phone number for a texted code.
      .where((q) => q.whereRaw('lower(email) = lower(?)', [ctx.attempt.identifier.trim()]).orWhere({ phone: ctx.attempt.identifier.trim(), phone_verified: true }))
      .increment('failed_sign_in_count', 1)
      .returning('id');
    await recordAuditEvent(trx, {
      type: 'sign_in.failure',
      subjectUserId: rows[0]?.id,
      clientId: ctx.interaction.client.clientId,
      ip: ctx.req.ip,
      userAgent: userAgentOf(ctx.req),
      data: { method: ctx.attempt.method, reason: ctx.refusal ?? 'credentials', identifier: maskIdentifier(ctx.attempt.identifier) },
    });
  });
  await ctx.reservation?.fail();
}

/**
 * First step: reserves the attempt with the limiter, or refuses (429,
 * Retry-After) while this IP, or this (account, IP) pair, must wait, or
 * while the pair already has an attempt in flight; see
 * src/ratelimit/policies.ts for why there is no account-wide lock. From here
 * on, every refusal by a later step is counted as a failed attempt.
 */
export const limitAttempts: SignInStep = async (ctx) => {
  const verdict = await ctx.deps.limiter.attempt(limitOf(ctx.attempt.method), subjectOf(ctx));
  if (verdict.allowed) {
    ctx.reservation = verdict;
    ctx.cleanup = () => verdict.cancel();
  } else {
    setRetryAfter(ctx.res, verdict);
    ctx.res.status(429);
    await ctx.fail('rate_limited', verdict.retryAfterSeconds);
    return 'stop';
  }
  const refuse = ctx.fail;
  ctx.fail = async (reason, retryAfterSeconds) => {
    if (reason !== 'rate_limited') await countFailure(ctx);
    await refuse(reason, retryAfterSeconds);
  };
};

export const verifyCredentials: SignInStep = async (ctx) => {
  const result = await ctx.verify();
  if (!result.ok) {
    await ctx.fail('credentials');
    return 'stop';
  }
  ctx.userId = result.userId;
};

/**
 * The account behind verified credentials must be usable: active, and not
 * locked by an operator (locked_until). Anything else fails exactly like a
 * wrong password: same message, status and steps.
 */
export const checkAccount: SignInStep = async (ctx) => {
  const user: { status: string; locked_until: Date | null } | undefined = await ctx.deps.db
    .knex('users')
    .select('status', 'locked_until')
    .where({ id: ctx.userId })
    .first();
  let refusal: string | undefined;
  if (!user) refusal = 'account_missing';
  else if (user.status !== 'active') refusal = `account_${user.status}`;
  else if (user.locked_until && new Date(user.locked_until).getTime() > Date.now()) refusal = 'account_locked';
  if (refusal) {
    ctx.refusal = refusal;
    ctx.userId = undefined;
    await ctx.fail('credentials');
    return 'stop';
  }
};

/**
 * A first factor that is not enough on its own: its limiter reservation
 * succeeds (the answer was right), it waits in the store, and the browser
 * goes to the second-factor page (second-factor.ts). Nothing is recorded as
 * a sign-in until the second factor passes.
 */
export const askSecondFactor: SignInStep = async (ctx) => {
  if (ctx.attempt.secondFactor) return;
  const amr = ctx.attempt.amr ?? [ctx.attempt.method];
  const demand = await secondFactorDemand(ctx.deps, ctx.interaction, ctx.userId!, amr);
  if (demand === 'none') return;
  await savePending(ctx.deps, ctx.interaction.uid, { userId: ctx.userId!, identifier: ctx.attempt.identifier, amr, mode: demand });
  await ctx.reservation?.succeed();
  ctx.res.redirect(303, `/interaction/${ctx.interaction.uid}/mfa`);
  return 'stop';
};

/** Methods waiting on a sign-in act on it now (SignInMethod.onSignIn), once it has fully passed. */
export const tellMethods: SignInStep = async (ctx) => {
  for (const method of ctx.deps.methods) await method.onSignIn?.(ctx.deps, { req: ctx.req, interaction: ctx.interaction, userId: ctx.userId! });
};

/**
 * A successful sign-in: last_login_at, the failure counter back to zero and
 * a sign_in.success event in one transaction; then the (account, IP) pair's
 * consecutive failures are forgotten.
 */
export const recordSignIn: SignInStep = async (ctx) => {
  const userId = ctx.userId!;
  await ctx.deps.db.knex.transaction(async (trx) => {
    await trx('users').where({ id: userId }).update({ last_login_at: trx.fn.now(), failed_sign_in_count: 0 });
    await recordAuditEvent(trx, {
      type: 'sign_in.success',
      actorUserId: userId,
      subjectUserId: userId,
      clientId: ctx.interaction.client.clientId,
      ip: ctx.req.ip,
      userAgent: userAgentOf(ctx.req),
      data: { method: ctx.attempt.method, amr: ctx.attempt.amr ?? [ctx.attempt.method] },
    });
  });
  await ctx.reservation?.succeed();
  ctx.deps.metrics?.signIns.inc({ method: ctx.attempt.method, outcome: 'success' });
};

export const finishLogin: SignInStep = async (ctx) => {
  const amr = ctx.attempt.amr ?? [ctx.attempt.method];
  await finishInteraction(ctx.deps, ctx.req, ctx.res, {
    login: { accountId: ctx.userId!, amr, acr: acrOf(amr), remember: true },
  });
  return 'stop';
};

/** The order every sign-in method runs through. */
export const signInSteps: SignInStep[] = [limitAttempts, verifyCredentials, checkAccount, askSecondFactor, tellMethods, recordSignIn, finishLogin];

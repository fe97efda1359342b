import type { Request } from 'express';
import type { InteractionDeps } from '../interactions/deps.ts';
import type { LimitName } from '../ratelimit/index.ts';

export type LimitDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * The one call that limits requests to MAIL a code, per client IP (req.ip,
 * which honours only LATCHKEY_TRUST_PROXY, so a forged X-Forwarded-For does
 * not help) and per target address, whether or not it has an account: keeps
 * anyone from flooding an inbox or minting codes to guess at. `name` picks
 * the policy (src/ratelimit/policies.ts): 'code-request' for sign-in codes;
 * sign-up and reset may pass 'sign-up' / 'password-reset'.
 * Code ENTRY is capped by the attempts counter in Postgres and by the
 * sign-in pipeline's 'code-entry' limit.
 */
export async function limitCodeRequest(deps: Pick<InteractionDeps, 'limiter'>, req: Request, target: string, name: LimitName = 'code-request'): Promise<LimitDecision> {
  const verdict = await deps.limiter.consume(name, { ip: req.ip, account: target.trim().toLowerCase() });
  return verdict.allowed ? { ok: true } : { ok: false, retryAfterSeconds: verdict.retryAfterSeconds };
}

export type CodeEntry = { ok: false; retryAfterSeconds: number } | { ok: true; done: (right: boolean) => Promise<void> };

/**
 * Code entry outside the sign-in pipeline (password reset, a stand-alone
 * sign-up): the same 'code-entry' limit and one attempt at a time per
 * (address, IP), on top of the per-code attempt cap in Postgres. The attempt
 * is reserved now; `done` must be called once it is judged.
 */
export async function beginCodeEntry(deps: Pick<InteractionDeps, 'limiter'>, req: Request, target: string): Promise<CodeEntry> {
  const verdict = await deps.limiter.attempt('code-entry', { ip: req.ip, account: target.trim().toLowerCase() });
  if (!verdict.allowed) return { ok: false, retryAfterSeconds: verdict.retryAfterSeconds };
  return {
    ok: true,
    done: async (right) => {
      if (right) await verdict.succeed();
      else await verdict.fail();
    },
  };
}

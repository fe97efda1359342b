import type { InteractionDeps } from './deps.ts';
import type { LoadedInteraction } from './interaction.ts';
import type { Amr, SignInMethod } from './method.ts';

/**
 * A first factor that passed while a second one is still owed, kept in the
 * store under the interaction (seed 004's `login_attempt:*`). The
 * interaction is bound to this browser by oidc-provider's cookie, so nobody
 * else can finish it. Losing the store only means signing in again.
 */
export type PendingLogin = {
  userId: string;
  /** The email the first factor was checked against, for the (account, IP) limits. */
  identifier: string;
  amr: Amr[];
  /** 'verify': the account has a factor to ask for; 'enrol': the policy requires one it lacks. */
  mode: 'verify' | 'enrol';
};

const PENDING_TTL_SECONDS = 10 * 60;
const pendingKey = (uid: string) => `login_attempt:${uid}`;

export async function savePending(deps: InteractionDeps, uid: string, pending: PendingLogin): Promise<void> {
  await deps.store.set(pendingKey(uid), JSON.stringify(pending), PENDING_TTL_SECONDS);
}

export async function loadPending(deps: InteractionDeps, uid: string): Promise<PendingLogin | undefined> {
  const stored = await deps.store.get(pendingKey(uid));
  return stored ? (JSON.parse(stored) as PendingLogin) : undefined;
}

export const clearPending = (deps: InteractionDeps, uid: string) => deps.store.del(pendingKey(uid));

/** The second factors this account has set up, among the enabled methods. */
export async function enrolledFactors(deps: InteractionDeps, userId: string): Promise<SignInMethod[]> {
  const found: SignInMethod[] = [];
  for (const method of deps.methods) {
    if (method.secondFactor && (await method.secondFactor.enrolled(deps, userId))) found.push(method);
  }
  return found;
}

/**
 * Whether a first factor is enough. An account with a second factor set up
 * is always asked for it; without one, the operator's policy (everyone, or
 * the account's role) makes it set one up. A client's `acr_values=aal2`
 * asks an account that has a factor; one that has none signs in at aal1 and
 * the ID token's acr says so.
 */
export async function secondFactorDemand(deps: InteractionDeps, interaction: LoadedInteraction, userId: string, amr: readonly Amr[]): Promise<'none' | 'verify' | 'enrol'> {
  if (amr.includes('mfa')) return 'none';
  if ((await enrolledFactors(deps, userId)).length > 0) return 'verify';
  const user: { role: string } | undefined = await deps.db.knex('users').select('role').where({ id: userId }).first();
  const required = deps.config.mfa.policy === 'required' || (user !== undefined && deps.config.mfa.requiredRoles.includes(user.role));
  if (required && deps.methods.some((method) => method.secondFactor?.enrol)) return 'enrol';
  return 'none';
}


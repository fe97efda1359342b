import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { wantsTwoFactors } from '../interactions/acr.ts';

/**
 * oidc-provider's default prompts, with two more login checks. A session
 * whose account is gone (blocked, deleted or locked since it signed in)
 * counts as no session: without it, /auth with such a cookie reached the
 * consent checks without a grant and answered 500; now it shows the sign-in
 * page, and prompt=none answers login_required. And a client that insists on
 * two factors (acr_values=aal2) while the session has one gets a step-up
 * sign-in (prompt=none: login_required).
 */
export function buildInteractionPolicy(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  if (!login) throw new Error('oidc-provider has no login prompt');
  login.checks.add(
    new interactionPolicy.Check('account_unusable', 'End-User authentication is required', 'login_required', (ctx: KoaContextWithOIDC) =>
      // loadAccount ran before the prompts: an accountId without an Account means findAccount said no.
      Boolean(ctx.oidc.session?.accountId && !ctx.oidc.account),
    ),
  );
  login.checks.add(
    new interactionPolicy.Check('acr_step_up', 'Two-factor authentication is required', 'login_required', (ctx: KoaContextWithOIDC) =>
      // Not right after a sign-in: the pipeline asked for every factor the account has, and one without a second signs in at aal1 (asking again would loop).
      Boolean(ctx.oidc.session?.accountId && wantsTwoFactors(ctx.oidc.params?.acr_values) && ctx.oidc.session.acr !== 'aal2' && !ctx.oidc.result?.login),
    ),
  );
  return policy;
}

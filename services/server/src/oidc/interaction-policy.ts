import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';

/**
 * oidc-provider's default prompts, with one more login check: a session whose
 * account is gone (blocked, deleted or locked since it signed in) counts as
 * no session. Without it, /auth with such a cookie reached the consent
 * checks without a grant and answered 500; now it shows the sign-in page,
 * and prompt=none answers login_required.
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
  return policy;
}

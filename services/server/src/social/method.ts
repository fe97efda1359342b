import { linkedSection } from '../console/sections/linked.ts';
import type { SignInMethod } from '../interactions/method.ts';
import { linkAfterProof } from './pending-link.ts';
import { socialRoutes } from './routes.ts';
import { upstreamButtons } from './views.ts';

/**
 * Sign-in through an upstream: GitHub, Google, Apple, generic OpenID Connect
 * (config/social.ts), with passport strategies (upstreams.ts). On when at
 * least one upstream is configured; a button per upstream on the sign-in
 * page, and the console's "Linked accounts".
 */
export const socialMethod: SignInMethod = {
  id: 'social',
  amr: 'fed',
  enabled: (config) => config.social.length > 0,
  routes: socialRoutes,
  signInEntry: ({ deps, req, res, base }) => ({
    placement: 'alternative',
    html: upstreamButtons(deps.config.social, { action: (upstream) => `${base}/social/${upstream.id}`, csrf: deps.csrf.token(req, res) }),
  }),
  onSignIn: linkAfterProof,
  console: { path: '/account/linked', title: 'console.linked.title', router: linkedSection },
};

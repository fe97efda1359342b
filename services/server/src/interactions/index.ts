import type { Router } from 'express';
import { loginPrompt } from '../accounts/sign-in-page.ts';
import { signUpRoutes } from '../accounts/signup-routes.ts';
import { emailCodeRoutes } from '../email-code/routes.ts';
import { devMailboxRoutes } from '../mail/dev-mailbox-page.ts';
import { resetRoutes } from '../password/reset-routes.ts';
import { passwordRoutes } from '../password/routes.ts';
import { assetRoutes } from './assets/routes.ts';
import { consentPage, consentRoutes } from './consent.ts';
import { deviceRoutes } from './device.ts';
import type { InteractionDeps } from './deps.ts';
import { interactionRoutes, type InteractionModules } from './routes.ts';

/**
 * Every hosted page, assembled. A sign-in method or page registers here:
 * its router, and the prompt(s) it renders.
 */
export function hostedPages(deps: InteractionDeps): Router[] {
  const modules: InteractionModules = {
    routers: [emailCodeRoutes(deps), consentRoutes(deps), passwordRoutes(deps), signUpRoutes(deps), resetRoutes(deps)],
    prompts: { consent: consentPage, login: loginPrompt },
  };
  return [assetRoutes(deps.config.brand), interactionRoutes(deps, modules), deviceRoutes(deps), devMailboxRoutes(deps)];
}

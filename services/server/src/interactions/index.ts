import type { Router } from 'express';
import { signUpRoutes } from '../accounts/signup-routes.ts';
import { devMailboxRoutes } from '../mail/dev-mailbox-page.ts';
import { devOutboxRoutes } from '../phone/dev-outbox-page.ts';
import { assetRoutes } from './assets/routes.ts';
import { consentPage, consentRoutes } from './consent.ts';
import { deviceRoutes } from './device.ts';
import type { InteractionDeps } from './deps.ts';
import { interactionRoutes, type InteractionModules } from './routes.ts';
import { secondFactorRoutes } from './second-factor.ts';
import { loginPrompt } from './sign-in-page.ts';

/**
 * Every hosted page, assembled: the sign-in methods' routes (deps.methods,
 * from methods.ts), the second-factor page, sign-up and consent.
 */
export function hostedPages(deps: InteractionDeps): Router[] {
  const modules: InteractionModules = {
    routers: [...deps.methods.flatMap((method) => method.routes?.(deps) ?? []), secondFactorRoutes(deps), consentRoutes(deps), signUpRoutes(deps)],
    prompts: { consent: consentPage, login: loginPrompt },
  };
  return [assetRoutes(deps.config.brand), interactionRoutes(deps, modules), deviceRoutes(deps), devMailboxRoutes(deps), devOutboxRoutes(deps)];
}

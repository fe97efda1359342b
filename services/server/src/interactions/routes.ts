import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { InteractionDeps } from './deps.ts';
import { t } from './i18n/index.ts';
import { loadInteraction, type LoadedInteraction } from './interaction.ts';
import { html } from './views/html.ts';
import { layout } from './views/layout.ts';
import { sendPage } from './views/respond.ts';

/** Renders the page for one prompt of a loaded interaction. */
export type PromptPage = (deps: InteractionDeps, req: Request, res: Response, interaction: NonNullable<Awaited<ReturnType<typeof loadInteraction>>>) => Promise<void>;

export type InteractionModules = {
  /** Sub-routers of the sign-in methods and pages (each owns its POST routes). */
  routers: Router[];
  /** What GET /interaction/:uid shows for each prompt oidc-provider asks for. */
  prompts: Record<string, PromptPage>;
};

export function expiredPage(deps: InteractionDeps, res: Response): void {
  sendPage(
    res,
    layout(deps.config.brand, {
      title: t('page.error.title'),
      body: html`<p>This sign-in page has expired or was opened in another browser. Go back to the app and start again.</p>`,
    }),
    { status: 400 },
  );
}

/**
 * Wraps a handler that only makes sense while the interaction asks for a
 * login (sign-in methods, sign-up, reset); any other state gets the expired page.
 */
export function duringLogin(
  deps: InteractionDeps,
  handler: (req: Request, res: Response, interaction: LoadedInteraction) => Promise<void>,
): RequestHandler {
  return async (req, res, next) => {
    try {
      const interaction = await loadInteraction(deps, req, res);
      if (!interaction || interaction.prompt.name !== 'login') return expiredPage(deps, res);
      await handler(req, res, interaction);
    } catch (error) {
      next(error);
    }
  };
}

/** Hosted sign-in: GET /interaction/:uid dispatches on the prompt; methods add their own routes. */
export function interactionRoutes(deps: InteractionDeps, modules: InteractionModules): Router {
  const router = Router();
  // Our forms only; the provider parses its own bodies.
  router.use('/interaction', express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
  router.use('/interaction/:uid', (req, res, next) => (req.method === 'POST' ? deps.csrf.verify(req, res, next) : next()));

  router.get('/interaction/:uid', async (req, res, next) => {
    try {
      const interaction = await loadInteraction(deps, req, res);
      if (!interaction) return expiredPage(deps, res);
      const page = modules.prompts[interaction.prompt.name];
      if (!page) return expiredPage(deps, res);
      await page(deps, req, res, interaction);
    } catch (error) {
      next(error);
    }
  });

  for (const sub of modules.routers) router.use(sub);
  return router;
}

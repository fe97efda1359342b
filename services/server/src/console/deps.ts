import type { InteractionDeps } from '../interactions/deps.ts';

/** What the console's handlers use: the hosted pages' dependencies, plus whether the issuer is https (cookie names and flags). */
export type ConsoleDeps = InteractionDeps & { secure: boolean };

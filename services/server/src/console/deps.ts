import type { InteractionDeps } from '../interactions/deps.ts';
import type { ConsoleSection } from '../interactions/method.ts';

/**
 * What the console's handlers use: the hosted pages' dependencies, whether
 * the issuer is https (cookie names and flags), and its sections (paths.ts).
 */
export type ConsoleDeps = InteractionDeps & { secure: boolean; sections: readonly ConsoleSection[] };

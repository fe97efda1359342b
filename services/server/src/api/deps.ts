import type { AppDeps } from '../app.ts';

/** What route handlers get: the app's dependencies. */
export type ApiDeps = AppDeps;

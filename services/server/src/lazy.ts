import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A library loaded the first time it is used rather than at start: what a
 * start does not need costs every replica start-up time and memory.
 * Synchronous (require(), which loads ES modules too on Node ≥ 22.12), so a
 * synchronous caller stays synchronous; code that awaits anyway can simply
 * `await import()` where it needs the library.
 */
export function lazy<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(specifier) as T);
}

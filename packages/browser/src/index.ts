export { createLatchkey, type Latchkey, type LatchkeyEvents, type LatchkeyOptions, type SignInOptions, type TokenStorage } from './client.ts';
export { LatchkeyError } from './errors.ts';
export type { Claims } from './id-token.ts';

export { createVerifier, type Verifier, type VerifierOptions, type VerifyOptions } from './verifier.ts';
export type { AccessTokenClaims } from './claims.ts';
export type { ProofRequest } from './dpop.ts';
export { memoryReplayStore, type ReplayStore } from './replay-store.ts';
export { SUPPORTED_ALGORITHMS, type Algorithm } from './jws.ts';
export {
  AuthServerError,
  DPoPError,
  InsufficientScopeError,
  InvalidTokenError,
  LatchkeyError,
  type DPoPReason,
  type InvalidTokenReason,
} from './errors.ts';
export { createIntrospector, type ActiveIntrospection, type IntrospectionResult, type Introspector, type IntrospectorOptions } from './introspect.ts';
export { clientCredentials, type ClientCredentialsOptions, type TokenSource } from './client-credentials.ts';
export {
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
  requireAuth,
  type AuthInfo,
  type ProtectedResourceMetadataOptions,
  type RequireAuthOptions,
} from './express.ts';
export { createAdminClient, type AdminClient, type AdminClientOptions } from './admin-client.ts';
export type { paths as AdminApiPaths, components as AdminApiComponents, operations as AdminApiOperations } from './generated/admin-api.ts';
export { createSignalReceiver, type RevocationSource, type SignalEvent, type SignalReceiver, type SignalReceiverOptions } from './signals.ts';
export type { Revocation } from './signal-events.ts';
export type { RevocableClaims } from './revocation-set.ts';

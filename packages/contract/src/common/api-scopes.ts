/**
 * The scopes of the API resource `<issuer>/api`, with the consent text a user
 * sees. Admin scopes count in a user's token only while the user is an admin.
 */
export const API_SCOPES = {
  'users:read': 'Read user accounts',
  'users:write': 'Create, change, block and delete user accounts',
  'clients:read': 'Read OAuth clients',
  'clients:write': 'Create, change and delete OAuth clients and rotate their secrets',
  'scopes:read': 'Read scopes',
  'scopes:write': 'Create, change and delete scopes',
  'resources:read': 'Read API resources',
  'resources:write': 'Create, change and delete API resources',
  'invitations:read': 'Read invitations',
  'invitations:write': 'Create and revoke invitations',
  'sessions:read': 'Read sign-in sessions of all users',
  'sessions:write': 'Revoke sign-in sessions of any user',
  'grants:read': 'Read the apps users have authorized',
  'grants:write': 'Revoke apps users have authorized',
  'keys:read': 'Read signing keys (public parts)',
  'keys:write': 'Rotate and revoke signing keys',
  'audit:read': 'Read the audit log',
  'api_tokens:read': 'Read personal API tokens of all users',
  'api_tokens:write': 'Revoke and block personal API tokens of any user',
  'webhooks:read': 'Read webhooks and their deliveries',
  'webhooks:write': 'Create, change, delete and replay webhooks',
  account: 'Manage your own account: profile, email, password, sessions, apps and API tokens',
} as const;

export type ApiScope = keyof typeof API_SCOPES;

export const API_SCOPE_NAMES = Object.keys(API_SCOPES) as ApiScope[];

/** Metadata every route carries: the scopes it needs (all of them). The server's authorization reads it. */
export type RouteMetadata = { readonly scopes: readonly ApiScope[]; readonly etag?: boolean };

/** `metadata: needs('users:read')`. `etag` marks routes whose 200/201 carry an ETag header. */
export const needs = (...scopes: ApiScope[]): RouteMetadata => ({ scopes });
export const needsWithEtag = (...scopes: ApiScope[]): RouteMetadata => ({ scopes, etag: true });

import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs, needsWithEtag } from '../common/api-scopes.ts';
import { ifMatchHeaders } from '../common/etag.ts';
import { page, pageQuery, sortOf, timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';

const c = initContract();

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'] as const;

const SCOPE_TOKEN = '[\\x21\\x23-\\x5b\\x5d-\\x7e]+';

/** Client ids are ours (base64url); anything else cannot name a client. */
const clientId = z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/, 'must be a client id');

/** Exact URI, checked by the server's redirect URI rules (https, or http on loopback; custom schemes for public native apps). */
const redirectUri = z.string().min(1).max(2000);

const name = z.string().trim().min(1).max(100);

/** Space-separated scope tokens (RFC 6749 §3.3), as in RFC 7591 client metadata. */
const scope = z
  .string()
  .max(2000)
  .regex(new RegExp(`^(${SCOPE_TOKEN}( ${SCOPE_TOKEN})*)?$`), 'must be space-separated scope tokens');

const settings = {
  redirect_uris: z.array(redirectUri).max(50).describe('Exact redirect URIs (needed by authorization_code)'),
  post_logout_redirect_uris: z.array(redirectUri).max(50).describe('Where RP-initiated logout may return'),
  grant_types: z.array(z.enum(GRANT_TYPES)).min(1).max(GRANT_TYPES.length),
  scope: scope.describe('Scopes the client may request, space-separated (OIDC scopes and API scopes)'),
  first_party: z.boolean().describe('The operator\'s own app: skips the consent page'),
  backchannel_logout_uri: z
    .string()
    .min(1)
    .max(2000)
    .describe('OpenID Back-Channel Logout: where logout tokens are posted when a session ends; https (http only on localhost, 127.0.0.1 or [::1]), no fragment; may be a private address (set by an operator)'),
  backchannel_logout_session_required: z.boolean().describe('Logout tokens (and ID tokens) carry the session id `sid`; default true when a URI is set'),
};

export const clientSchema = z
  .object({
    client_id: z.string(),
    name: z.string(),
    type: z.enum(['confidential', 'public']).describe('confidential clients have a secret; public ones (SPAs, native apps) do not'),
    redirect_uris: z.array(z.string()),
    post_logout_redirect_uris: z.array(z.string()),
    grant_types: z.array(z.string()),
    scope: z.string(),
    first_party: z.boolean(),
    built_in: z.boolean().describe('The account console\'s own client (`latchkey-account`): it cannot be changed, deleted or given a new secret (403)'),
    introspects_resource_id: z
      .string()
      .uuid()
      .nullable()
      .describe('Set on an API resource\'s introspection client: only its name and secret can change, and it goes with its API (403 otherwise)'),
    backchannel_logout_uri: z.string().nullable().describe('Where back-channel logout tokens are posted; null when none'),
    backchannel_logout_session_required: z.boolean(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .describe('Client');

/** A client with its secret: answered once, at creation or rotation, and never again. */
export const clientWithSecretSchema = clientSchema
  .extend({ client_secret: z.string().optional().describe('Shown only in this response; stored only as a hash') })
  .describe('ClientWithSecret');

const params = z.object({ client_id: clientId });

export const clientsContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/clients',
      summary: 'List clients',
      query: z
        .object({
          ...pageQuery,
          sort: sortOf(['created_at', 'name']).default('created_at'),
          type: z.enum(['confidential', 'public']).optional(),
          grant_type: z.enum(GRANT_TYPES).optional().describe('Only clients allowed this grant type'),
          first_party: z.enum(['true', 'false']).optional(),
          name_prefix: z.string().min(1).max(100).optional().describe('Only clients whose name starts with this'),
        })
        .strict(),
      responses: { 200: page(clientSchema), ...problems(400, 401, 403) },
      metadata: needs('clients:read'),
    },
    get: {
      method: 'GET',
      path: '/clients/:client_id',
      summary: 'Get a client',
      pathParams: params,
      responses: { 200: clientSchema, ...problems(400, 401, 403, 404) },
      metadata: needsWithEtag('clients:read'),
    },
    create: {
      method: 'POST',
      path: '/clients',
      summary: 'Register a client (a confidential client\'s secret is shown once)',
      body: z
        .object({
          name,
          type: z.enum(['confidential', 'public']),
          redirect_uris: settings.redirect_uris.optional(),
          post_logout_redirect_uris: settings.post_logout_redirect_uris.optional(),
          grant_types: settings.grant_types.optional().describe('Default: authorization_code and refresh_token'),
          scope: settings.scope.optional().describe('Default: openid offline_access profile email phone'),
          first_party: settings.first_party.optional(),
          backchannel_logout_uri: settings.backchannel_logout_uri.optional(),
          backchannel_logout_session_required: settings.backchannel_logout_session_required.optional(),
        })
        .strict(),
      responses: { 201: clientWithSecretSchema, ...problems(400, 401, 403, 409) },
      metadata: needsWithEtag('clients:write'),
    },
    update: {
      method: 'PATCH',
      path: '/clients/:client_id',
      summary: 'Change a client',
      pathParams: params,
      headers: ifMatchHeaders,
      body: z
        .object({
          name: name.optional(),
          redirect_uris: settings.redirect_uris.optional(),
          post_logout_redirect_uris: settings.post_logout_redirect_uris.optional(),
          grant_types: settings.grant_types.optional(),
          scope: settings.scope.optional(),
          first_party: settings.first_party.optional(),
          backchannel_logout_uri: settings.backchannel_logout_uri.nullable().optional().describe('null removes it'),
          backchannel_logout_session_required: settings.backchannel_logout_session_required.optional(),
        })
        .strict(),
      responses: { 200: clientSchema, ...problems(400, 401, 403, 404, 409, 412, 428) },
      metadata: needsWithEtag('clients:write'),
    },
    delete: {
      method: 'DELETE',
      path: '/clients/:client_id',
      summary: 'Delete a client, revoking every token, code and grant it holds',
      pathParams: params,
      body: c.noBody(),
      responses: { 204: c.noBody(), ...problems(400, 401, 403, 404) },
      metadata: needs('clients:write'),
    },
    rotateSecret: {
      method: 'POST',
      path: '/clients/:client_id/secret',
      summary: 'Replace a confidential client\'s secret (shown once; the old one stops working at once)',
      pathParams: params,
      body: c.noBody(),
      responses: { 200: clientWithSecretSchema, ...problems(400, 401, 403, 404, 409) },
      metadata: needsWithEtag('clients:write'),
    },
  },
  { strictStatusCodes: true },
);

import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs, needsWithEtag } from '../common/api-scopes.ts';
import { ifMatchHeaders } from '../common/etag.ts';
import { page, pageQuery, sortOf, timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';
import { scopeName } from './scopes.ts';

const c = initContract();

export const RESOURCE_SIGNING_ALGS = ['RS256', 'ES256'] as const;

const settings = {
  name: z.string().trim().max(100).nullable().describe('Display name'),
  scopes: z.array(scopeName).max(200).describe('Scopes the API understands'),
  token_ttl: z.number().int().min(60).max(86400).describe('Access-token lifetime in seconds'),
  signing_alg: z.enum(RESOURCE_SIGNING_ALGS).describe('JWS algorithm of its access tokens'),
};

export const resourceSchema = z
  .object({
    id: z.string().uuid(),
    identifier: z.string().describe('The API\'s identifier URL: the audience of its tokens (RFC 8707)'),
    name: z.string().nullable(),
    scopes: z.array(z.string()),
    token_ttl: z.number().int(),
    signing_alg: z.string(),
    built_in: z.boolean().describe('This server\'s own API (`<issuer>/api`); cannot be changed or deleted'),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .describe('ApiResource');

/** A new API with its introspection credentials: answered once, at registration, and never again. */
export const resourceWithCredentialsSchema = resourceSchema
  .extend({
    introspection_client_id: z.string().describe('The API\'s own client for POST /token/introspection (RFC 7662); it can get no token'),
    introspection_client_secret: z.string().describe('Shown only in this response; stored only as a hash (replace it with POST /admin/clients/{client_id}/secret)'),
  })
  .describe('ApiResourceWithCredentials');

const params = z.object({ id: z.string().uuid() });

export const resourcesContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/resources',
      summary: 'List API resources',
      query: z
        .object({
          ...pageQuery,
          sort: sortOf(['created_at', 'identifier']).default('created_at'),
          identifier_prefix: z.string().min(1).max(2000).optional().describe('Only APIs whose identifier starts with this'),
        })
        .strict(),
      responses: { 200: page(resourceSchema), ...problems(400, 401, 403) },
      metadata: needs('resources:read'),
    },
    get: {
      method: 'GET',
      path: '/resources/:id',
      summary: 'Get an API resource',
      pathParams: params,
      responses: { 200: resourceSchema, ...problems(400, 401, 403, 404) },
      metadata: needsWithEtag('resources:read'),
    },
    create: {
      method: 'POST',
      path: '/resources',
      summary: 'Register an API that receives JWT access tokens (its introspection credentials are shown once)',
      body: z
        .object({
          identifier: z.string().min(1).max(2000).describe('http(s) URL without a fragment, e.g. https://api.example.com'),
          name: settings.name.optional(),
          scopes: settings.scopes.optional(),
          token_ttl: settings.token_ttl.optional().describe('Default 3600'),
          signing_alg: settings.signing_alg.optional().describe('Default RS256'),
        })
        .strict(),
      responses: { 201: resourceWithCredentialsSchema, ...problems(400, 401, 403, 409) },
      metadata: needsWithEtag('resources:write'),
    },
    update: {
      method: 'PATCH',
      path: '/resources/:id',
      summary: 'Change an API resource (its identifier is fixed)',
      pathParams: params,
      headers: ifMatchHeaders,
      body: z
        .object({
          name: settings.name.optional(),
          scopes: settings.scopes.optional(),
          token_ttl: settings.token_ttl.optional(),
          signing_alg: settings.signing_alg.optional(),
        })
        .strict(),
      responses: { 200: resourceSchema, ...problems(400, 401, 403, 404, 412, 428) },
      metadata: needsWithEtag('resources:write'),
    },
    delete: {
      method: 'DELETE',
      path: '/resources/:id',
      summary: 'Delete an API resource (no new tokens for it; issued ones expire on their own)',
      pathParams: params,
      body: c.noBody(),
      responses: { 204: c.noBody(), ...problems(400, 401, 403, 404) },
      metadata: needs('resources:write'),
    },
  },
  { strictStatusCodes: true },
);

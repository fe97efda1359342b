import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs, needsWithEtag } from '../common/api-scopes.ts';
import { ifMatchHeaders } from '../common/etag.ts';
import { page, pageQuery, sortOf, timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';

const c = initContract();

/** A scope token (RFC 6749 §3.3): printable ASCII without space, `"` or `\`. */
export const scopeName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be a scope token: printable ASCII without spaces, quotes or backslashes');

export const scopeDescription = z.string().trim().min(1).max(300);

export const scopeSchema = z
  .object({
    name: scopeName,
    description: z.string(),
    built_in: z.boolean().describe('Belongs to this server\'s own API; cannot be deleted'),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .describe('Scope');

export const scopesContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/scopes',
      summary: 'List scopes',
      query: z
        .object({
          ...pageQuery,
          sort: sortOf(['name', 'created_at']).default('name'),
          prefix: z.string().min(1).max(200).optional().describe('Only scopes whose name starts with this'),
        })
        .strict(),
      responses: { 200: page(scopeSchema), ...problems(400, 401, 403) },
      metadata: needs('scopes:read'),
    },
    get: {
      method: 'GET',
      path: '/scopes/:name',
      summary: 'Get a scope',
      pathParams: z.object({ name: scopeName }),
      responses: { 200: scopeSchema, ...problems(400, 401, 403, 404) },
      metadata: needsWithEtag('scopes:read'),
    },
    create: {
      method: 'POST',
      path: '/scopes',
      summary: 'Create a scope',
      body: z.object({ name: scopeName, description: scopeDescription }).strict(),
      responses: { 201: scopeSchema, ...problems(400, 401, 403, 409) },
      metadata: needsWithEtag('scopes:write'),
    },
    update: {
      method: 'PATCH',
      path: '/scopes/:name',
      summary: 'Change a scope\'s description',
      pathParams: z.object({ name: scopeName }),
      headers: ifMatchHeaders,
      body: z.object({ description: scopeDescription }).strict(),
      responses: { 200: scopeSchema, ...problems(400, 401, 403, 404, 412, 428) },
      metadata: needsWithEtag('scopes:write'),
    },
    delete: {
      method: 'DELETE',
      path: '/scopes/:name',
      summary: 'Delete a scope',
      pathParams: z.object({ name: scopeName }),
      body: c.noBody(),
      responses: { 204: c.noBody(), ...problems(400, 401, 403, 404, 409) },
      metadata: needs('scopes:write'),
    },
  },
  { strictStatusCodes: true },
);

import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs } from '../common/api-scopes.ts';
import { page, pageQuery, sortOf, timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';
import { userId } from './users.ts';

const c = initContract();

const grantId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a grant id from the grant list');

const clientId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'must be a client id');

export const grantSchema = z
  .object({
    id: grantId,
    user_id: z.string().nullable(),
    client_id: z.string(),
    scopes: z.array(z.string()).describe('OpenID Connect scopes granted'),
    resources: z.record(z.array(z.string())).describe('Per API resource identifier, the scopes granted for it'),
    created_at: timestamp,
    expires_at: timestamp.nullable(),
    revoked_at: timestamp.nullable(),
  })
  .describe('Grant');

export const grantsContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/grants',
      summary: 'List what users allowed apps to do (by user, by client)',
      query: z
        .object({
          ...pageQuery,
          user_id: userId.optional(),
          client_id: clientId.optional(),
          status: z.enum(['active', 'all']).default('active').describe('active: unrevoked, unexpired grants only'),
          sort: sortOf(['created_at']).default('-created_at'),
        })
        .strict(),
      responses: { 200: page(grantSchema).describe('GrantPage'), ...problems(400, 401, 403) },
      metadata: needs('grants:read'),
    },
    revoke: {
      method: 'POST',
      path: '/grants/:id/revoke',
      summary: 'Revoke a grant with the tokens and codes it issued, on every server at once',
      pathParams: z.object({ id: grantId }),
      body: z.object({ reason: z.string().trim().min(1).max(200).optional().describe('Kept in the audit log') }).strict(),
      responses: { 204: c.noBody(), ...problems(400, 401, 403, 404, 409) },
      metadata: needs('grants:write'),
    },
  },
  { strictStatusCodes: true },
);

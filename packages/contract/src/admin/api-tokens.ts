import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs } from '../common/api-scopes.ts';
import { page, pageQuery, sortOf } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';
import { API_TOKEN_STATUSES, apiTokenId, apiTokenSchema } from '../me/api-tokens.ts';

const c = initContract();

export const adminApiTokensContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/api-tokens',
      summary: 'List personal API tokens of all users',
      query: z
        .object({
          ...pageQuery,
          user_id: z.string().uuid('must be a user id (uuid)').optional().describe('Only this user\'s tokens'),
          status: z.enum(API_TOKEN_STATUSES).optional(),
          sort: sortOf(['created_at']).default('-created_at'),
        })
        .strict(),
      responses: { 200: page(apiTokenSchema).describe('ApiTokenPage'), ...problems(400, 401, 403) },
      metadata: needs('api_tokens:read'),
    },
    get: {
      method: 'GET',
      path: '/api-tokens/:id',
      summary: 'Get a personal API token (never the token itself)',
      pathParams: z.object({ id: apiTokenId }),
      responses: { 200: apiTokenSchema, ...problems(400, 401, 403, 404) },
      metadata: needs('api_tokens:read'),
    },
    revoke: {
      method: 'POST',
      path: '/api-tokens/:id/revoke',
      summary: 'Revoke a personal API token for good: it stops working at once',
      pathParams: z.object({ id: apiTokenId }),
      body: c.noBody(),
      responses: { 200: apiTokenSchema, ...problems(400, 401, 403, 404) },
      metadata: needs('api_tokens:write'),
    },
    block: {
      method: 'POST',
      path: '/api-tokens/:id/block',
      summary: 'Block a personal API token: it stops working until unblocked',
      pathParams: z.object({ id: apiTokenId }),
      body: c.noBody(),
      responses: { 200: apiTokenSchema, ...problems(400, 401, 403, 404) },
      metadata: needs('api_tokens:write'),
    },
    unblock: {
      method: 'POST',
      path: '/api-tokens/:id/unblock',
      summary: 'Unblock a personal API token (a revoked or expired one stays unusable)',
      pathParams: z.object({ id: apiTokenId }),
      body: c.noBody(),
      responses: { 200: apiTokenSchema, ...problems(400, 401, 403, 404) },
      metadata: needs('api_tokens:write'),
    },
  },
  { strictStatusCodes: true },
);

import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs } from '../common/api-scopes.ts';
import { page, pageQuery, sortOf, timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';

const c = initContract();

export const apiTokenId = z.string().uuid('must be an API token id (uuid)');

export const API_TOKEN_STATUSES = ['active', 'expired', 'revoked', 'blocked'] as const;

/** Tokens live at most this long: a leaked token nobody revokes still dies. */
export const API_TOKEN_MAX_DAYS = 365;

/** A scope token (RFC 6749 §3.3). */
const scopeToken = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be a scope token: printable ASCII without spaces, quotes or backslashes');

export const apiTokenSchema = z
  .object({
    id: apiTokenId,
    user_id: z.string().describe('The owner'),
    name: z.string(),
    prefix: z.string().describe('The first characters of the token (lk_pat_…), to tell tokens apart; not usable'),
    scopes: z.array(z.string()),
    status: z.enum(API_TOKEN_STATUSES),
    created_at: timestamp,
    expires_at: timestamp.nullable(),
    last_used_at: timestamp.nullable().describe('Recorded at most once a minute'),
    last_used_ip: z.string().nullable(),
    revoked_at: timestamp.nullable(),
  })
  .describe('ApiToken');

export const accountApiTokensContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/api-tokens',
      summary: 'List your personal API tokens',
      query: z.object({ ...pageQuery, status: z.enum(API_TOKEN_STATUSES).optional(), sort: sortOf(['created_at']).default('-created_at') }).strict(),
      responses: { 200: page(apiTokenSchema).describe('ApiTokenPage'), ...problems(400, 401, 403) },
      metadata: needs('account'),
    },
    create: {
      method: 'POST',
      path: '/api-tokens',
      summary: 'Create a personal API token; the token is in this answer only (stored as a hash)',
      body: z
        .object({
          name: z.string().trim().min(1).max(100).describe('Unique among your tokens'),
          scopes: z
            .array(scopeToken)
            .min(1)
            .max(50)
            .describe('Never more than you hold: account, your own scopes, admin API scopes only while you are an admin'),
          expires_in_days: z.number().int().min(1).max(API_TOKEN_MAX_DAYS).default(30).describe(`Days until it expires (1–${API_TOKEN_MAX_DAYS})`),
        })
        .strict(),
      responses: {
        201: z
          .object({ api_token: apiTokenSchema, token: z.string().describe('lk_pat_…, shown only now') })
          .describe('CreatedApiToken'),
        ...problems(400, 401, 403, 409),
      },
      metadata: needs('account'),
    },
    revoke: {
      method: 'DELETE',
      path: '/api-tokens/:id',
      summary: 'Revoke one of your personal API tokens: it stops working at once',
      pathParams: z.object({ id: apiTokenId }),
      body: c.noBody(),
      responses: { 204: c.noBody(), ...problems(400, 401, 403, 404) },
      metadata: needs('account'),
    },
  },
  { strictStatusCodes: true },
);

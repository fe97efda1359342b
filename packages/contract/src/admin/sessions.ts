import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs } from '../common/api-scopes.ts';
import { page, pageQuery, sortOf, timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';
import { userId } from './users.ts';

const c = initContract();

/** A session's uid (stable across sign-ins; never the cookie value). */
export const adminSessionId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a session id from the session list');

export const adminSessionSchema = z
  .object({
    id: adminSessionId,
    user_id: userId,
    status: z.string().describe('active, ended (signed out) or revoked'),
    browser: z.string().nullable(),
    os: z.string().nullable(),
    device: z.string().nullable(),
    ip: z.string().nullable(),
    created_at: timestamp,
    last_activity_at: timestamp,
    expires_at: timestamp.nullable(),
    revoked_at: timestamp.nullable(),
    revoked_reason: z.string().nullable(),
  })
  .describe('Session');

export const sessionsContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/sessions',
      summary: 'List signed-in browser sessions (of one user, or everyone\'s)',
      query: z
        .object({
          ...pageQuery,
          user_id: userId.optional(),
          status: z.enum(['active', 'all']).default('active').describe('active: live sessions only; all: also ended, revoked and expired ones'),
          sort: sortOf(['created_at']).default('-created_at'),
        })
        .strict(),
      responses: { 200: page(adminSessionSchema).describe('SessionPage'), ...problems(400, 401, 403) },
      metadata: needs('sessions:read'),
    },
    revoke: {
      method: 'POST',
      path: '/sessions/:id/revoke',
      summary: 'Revoke a session: it stops working on every server at once',
      pathParams: z.object({ id: adminSessionId }),
      body: z.object({ reason: z.string().trim().min(1).max(200).optional().describe('Kept in the session row and the audit log') }).strict(),
      responses: { 200: adminSessionSchema, ...problems(400, 401, 403, 404, 409) },
      metadata: needs('sessions:write'),
    },
  },
  { strictStatusCodes: true },
);

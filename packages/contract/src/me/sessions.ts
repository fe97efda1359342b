import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs } from '../common/api-scopes.ts';
import { timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';

const c = initContract();

export const sessionId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a session id from the session list');

export const accountSessionSchema = z
  .object({
    id: sessionId,
    browser: z.string().nullable().describe('e.g. "Firefox 121"'),
    os: z.string().nullable().describe('e.g. "Windows 10"'),
    device: z.string().nullable().describe('e.g. "desktop" or "mobile (Apple iPhone)"'),
    ip: z.string().nullable(),
    created_at: timestamp,
    last_activity_at: timestamp,
    expires_at: timestamp.nullable(),
  })
  .describe('AccountSession');

export const accountSessionsContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/sessions',
      summary: 'List your signed-in browser sessions, most recently active first',
      responses: { 200: z.object({ items: z.array(accountSessionSchema) }).describe('AccountSessionList'), ...problems(401, 403) },
      metadata: needs('account'),
    },
    revoke: {
      method: 'DELETE',
      path: '/sessions/:id',
      summary: 'Sign out one of your sessions',
      pathParams: z.object({ id: sessionId }),
      body: c.noBody(),
      responses: { 204: c.noBody(), ...problems(400, 401, 403, 404) },
      metadata: needs('account'),
    },
    revokeOthers: {
      method: 'POST',
      path: '/sessions/revoke-others',
      summary: 'Sign out every session but the one named',
      body: z
        .object({
          // Access tokens name no browser session, so the one to keep is named explicitly.
          keep_session_id: sessionId.describe('The session to keep signed in (an id from the session list)'),
        })
        .strict(),
      responses: { 200: z.object({ revoked: z.number().int() }).describe('SessionsRevoked'), ...problems(400, 401, 403, 404) },
      metadata: needs('account'),
    },
  },
  { strictStatusCodes: true },
);

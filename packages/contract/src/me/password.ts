import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs } from '../common/api-scopes.ts';
import { problems } from '../common/problem.ts';
import { sessionId } from './sessions.ts';

const c = initContract();

export const passwordContract = c.router(
  {
    change: {
      method: 'POST',
      path: '/password',
      summary: 'Change (or set a first) password; every session but keep_session_id is signed out',
      body: z
        .object({
          current_password: z.string().max(4096).optional().describe('Required when the account has a password'),
          new_password: z.string().max(4096),
          keep_session_id: sessionId
            .optional()
            .describe('The session to keep signed in; without it every session is signed out (access tokens name no session)'),
        })
        .strict(),
      responses: { 200: z.object({ sessions_revoked: z.number().int() }).describe('PasswordChanged'), ...problems(400, 401, 403, 409, 429) },
      metadata: needs('account'),
    },
  },
  { strictStatusCodes: true },
);

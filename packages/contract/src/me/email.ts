import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs, needsWithEtag } from '../common/api-scopes.ts';
import { timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';
import { profileSchema } from './profile.ts';

const c = initContract();

const email = z.string().max(254).describe('A plain address (local@domain): no display name, comments or quoted local part');

export const emailChangeContract = c.router(
  {
    start: {
      method: 'POST',
      path: '/email',
      summary: 'Start changing your email address: a code is mailed to the new address, nothing changes yet',
      body: z.object({ email }).strict(),
      responses: {
        202: z.object({ email: z.string(), expires_at: timestamp }).describe('EmailChangeStarted'),
        ...problems(400, 401, 403, 429),
      },
      metadata: needs('account'),
    },
    confirm: {
      method: 'POST',
      path: '/email/confirm',
      summary: 'Confirm the new email address with the mailed code; it becomes your verified address',
      body: z.object({ email, code: z.string().max(20).describe('The 6-digit code from the mail') }).strict(),
      responses: { 200: profileSchema, ...problems(400, 401, 403, 409, 429) },
      metadata: needsWithEtag('account'),
    },
  },
  { strictStatusCodes: true },
);

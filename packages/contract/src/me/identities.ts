import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs } from '../common/api-scopes.ts';
import { timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';

const c = initContract();

export const linkedIdentitySchema = z
  .object({
    id: z.string().uuid(),
    provider: z.string().describe('The upstream: github, google, apple, or a generic OpenID Connect upstream\'s name in lower case'),
    email: z.string().nullable().describe('The address the upstream gave, as it gave it (verified or not): not the account\'s address'),
    linked_at: timestamp,
    last_used_at: timestamp.nullable(),
  })
  .describe('LinkedIdentity');

export const linkedIdentitiesContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/identities',
      summary: 'List the accounts at other services (GitHub, Google …) you can sign in with',
      responses: { 200: z.object({ items: z.array(linkedIdentitySchema) }).describe('LinkedIdentityList'), ...problems(401, 403) },
      metadata: needs('account'),
    },
    unlink: {
      method: 'DELETE',
      path: '/identities/:id',
      summary: 'Unlink one; refused (409) when it is the only way left to sign in',
      pathParams: z.object({ id: z.string().uuid('must be an id from the identity list') }),
      body: c.noBody(),
      responses: { 204: c.noBody(), ...problems(400, 401, 403, 404, 409) },
      metadata: needs('account'),
    },
  },
  { strictStatusCodes: true },
);

import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs } from '../common/api-scopes.ts';
import { timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';

const c = initContract();

export const passkeyId = z.string().uuid('must be a passkey id (uuid)');

export const passkeySchema = z
  .object({
    id: passkeyId,
    name: z.string(),
    synced: z.boolean().describe('A synced passkey (backed up, usable on the owner\'s other devices) rather than one bound to a single device'),
    created_at: timestamp,
    last_used_at: timestamp.nullable(),
  })
  .describe('Passkey');

export const passkeysContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/passkeys',
      summary: 'List your passkeys, oldest first (adding one needs the WebAuthn ceremony: use the account console)',
      responses: { 200: z.object({ items: z.array(passkeySchema) }).describe('PasskeyList'), ...problems(401, 403) },
      metadata: needs('account'),
    },
    rename: {
      method: 'PATCH',
      path: '/passkeys/:id',
      summary: 'Rename one of your passkeys',
      pathParams: z.object({ id: passkeyId }),
      body: z.object({ name: z.string().trim().min(1).max(64).describe('So you can tell your passkeys apart') }).strict().describe('PasskeyRename'),
      responses: { 200: passkeySchema, ...problems(400, 401, 403, 404) },
      metadata: needs('account'),
    },
    remove: {
      method: 'DELETE',
      path: '/passkeys/:id',
      summary:
        'Remove one of your passkeys. A passkey is a second factor, and removing one needs a recent two-step sign-in, which an API token cannot show: this answers 403 forbidden for a passkey you hold (remove it in the account console), 404 for one you do not',
      pathParams: z.object({ id: passkeyId }),
      body: c.noBody(),
      responses: { 204: c.noBody(), ...problems(400, 401, 403, 404, 409) },
      metadata: needs('account'),
    },
  },
  { strictStatusCodes: true },
);

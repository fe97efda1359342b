import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs } from '../common/api-scopes.ts';
import { problems } from '../common/problem.ts';

const c = initContract();

export const twoStepSchema = z
  .object({
    totp_enabled: z.boolean().describe('Whether sign-ins ask for a code from an authenticator app'),
    recovery_codes_left: z.number().int().describe('Unused recovery codes (0 when the app is off)'),
  })
  .describe('TwoStepStatus');

export const twoStepContract = c.router(
  {
    get: {
      method: 'GET',
      path: '/two-step',
      summary: 'Your two-step verification: whether the authenticator app is on, and how many recovery codes are left',
      responses: { 200: twoStepSchema, ...problems(401, 403) },
      metadata: needs('account'),
    },
    turnOffTotp: {
      method: 'POST',
      path: '/two-step/totp/disable',
      summary: 'Turn the authenticator app off (its recovery codes go too); proven with a current code from the app or a recovery code',
      body: z
        .object({
          // An access token says nothing of how recently its holder used the second factor, so the request proves it.
          code: z.string().min(1).max(64).describe('A current 6-digit code from the app, or one of the recovery codes'),
        })
        .strict(),
      responses: { 200: twoStepSchema, ...problems(400, 401, 403, 409, 429) },
      metadata: needs('account'),
    },
  },
  { strictStatusCodes: true },
);

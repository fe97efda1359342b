import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs } from '../common/api-scopes.ts';
import { timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';

const c = initContract();

const phone = z.string().max(40).describe('A phone number with its country code (+14155550100; spaces, dashes and brackets allowed); without one, the server\'s default region applies');

export const phoneSchema = z
  .object({
    phone: z.string().nullable().describe('E.164, e.g. +14155550100; null when the account has none'),
    verified: z.boolean().describe('Proved by a texted code: only a verified number signs in and is in the phone_number claim as verified'),
    verified_at: timestamp.nullable(),
  })
  .describe('Phone');

export const phoneContract = c.router(
  {
    get: {
      method: 'GET',
      path: '/phone',
      summary: 'Your phone number and whether it is verified',
      responses: { 200: phoneSchema, ...problems(401, 403, 404) },
      metadata: needs('account'),
    },
    start: {
      method: 'POST',
      path: '/phone',
      summary: 'Add or change your phone number: a code is texted to it, nothing changes yet',
      body: z.object({ phone }).strict(),
      responses: {
        202: z.object({ phone: z.string().describe('The number as E.164'), expires_at: timestamp }).describe('PhoneVerificationStarted'),
        ...problems(400, 401, 403, 404, 429, 503),
      },
      metadata: needs('account'),
    },
    verify: {
      method: 'POST',
      path: '/phone/verify',
      summary: 'Confirm the number with the texted code; it becomes your verified number (409 when another account has it)',
      body: z.object({ phone, code: z.string().max(20).describe('The 6-digit code from the text message') }).strict(),
      responses: { 200: phoneSchema, ...problems(400, 401, 403, 404, 409, 429) },
      metadata: needs('account'),
    },
    remove: {
      method: 'DELETE',
      path: '/phone',
      summary: 'Remove your phone number (409 while it is your only way to sign in)',
      body: c.noBody(),
      responses: { 200: phoneSchema, ...problems(401, 403, 404, 409) },
      metadata: needs('account'),
    },
  },
  { strictStatusCodes: true },
);

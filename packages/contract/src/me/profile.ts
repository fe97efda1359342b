import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needsWithEtag } from '../common/api-scopes.ts';
import { ifMatchHeaders } from '../common/etag.ts';
import { timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';

const c = initContract();

export const profileSchema = z
  .object({
    id: z.string().uuid(),
    email: z.string().nullable(),
    email_verified: z.boolean(),
    username: z.string().nullable(),
    display_name: z.string().nullable(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    avatar_url: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .describe('Profile');

const name = z.string().max(100).nullable();

/**
 * What the owner may change, and nothing else: strict, so `role`, `status`,
 * `email_verified`, `scopes` or any other field is a 400 (no mass assignment).
 * Empty strings clear a field, like null.
 */
export const profileUpdateSchema = z
  .object({
    username: z
      .string()
      .max(64)
      .regex(/^([A-Za-z0-9][A-Za-z0-9._-]{2,63})?$/, 'must be 3 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit')
      .nullable()
      .optional(),
    display_name: name.optional(),
    first_name: name.optional(),
    last_name: name.optional(),
  })
  .strict()
  .describe('ProfileUpdate');

export const profileContract = c.router(
  {
    get: {
      method: 'GET',
      path: '',
      summary: 'Get your profile',
      responses: { 200: profileSchema, ...problems(401, 403) },
      metadata: needsWithEtag('account'),
    },
    update: {
      method: 'PATCH',
      path: '',
      summary: 'Change your profile (names and username only)',
      headers: ifMatchHeaders,
      body: profileUpdateSchema,
      responses: { 200: profileSchema, ...problems(400, 401, 403, 409, 412, 428) },
      metadata: needsWithEtag('account'),
    },
  },
  { strictStatusCodes: true },
);

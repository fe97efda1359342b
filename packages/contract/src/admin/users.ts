import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs, needsWithEtag } from '../common/api-scopes.ts';
import { ifMatchHeaders } from '../common/etag.ts';
import { page, pageQuery, sortOf, timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';

const c = initContract();

export const userId = z.string().uuid('must be a user id (uuid)');

export const ROLES = ['user', 'admin'] as const;
export const USER_STATUSES = ['active', 'blocked', 'deleted'] as const;

/**
 * What an email filter may hold: the characters of an address, nothing
 * else (no spaces, quotes, semicolons or parentheses), so a filter can only
 * ever match addresses.
 */
const emailFilter = z
  .string()
  .min(1)
  .max(254)
  .regex(/^[A-Za-z0-9.!#$%&*+/=?^_`{|}~@-]+$/, 'may only hold the characters of an email address');

const reason = z.string().trim().min(1).max(200).describe('Why (kept in the audit log)');

export const userSchema = z
  .object({
    id: userId,
    email: z.string().nullable(),
    email_verified: z.boolean(),
    username: z.string().nullable(),
    display_name: z.string().nullable(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    avatar_url: z.string().nullable(),
    status: z.enum(USER_STATUSES),
    role: z.string(),
    scopes: z.array(z.string()),
    locked_until: timestamp.nullable().describe('Locked by an operator until this time'),
    created_at: timestamp,
    updated_at: timestamp,
    last_login_at: timestamp.nullable(),
    deleted_at: timestamp.nullable(),
  })
  .describe('User');

/** What a change of standing did: the account now, and what it revoked. */
export const userStandingSchema = z
  .object({
    user: userSchema,
    sessions_revoked: z.number().int(),
    grants_revoked: z.number().int(),
  })
  .describe('UserStandingChange');

const name = z.string().max(100).nullable();

const statusAction = (summary: string) => ({
  method: 'POST' as const,
  summary,
  pathParams: z.object({ id: userId }),
  body: z.object({ reason: reason.optional() }).strict(),
  responses: { 200: userStandingSchema, ...problems(400, 401, 403, 404, 409) },
  metadata: needs('users:write'),
});

export const usersContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/users',
      summary: 'Search users',
      query: z
        .object({
          ...pageQuery,
          sort: sortOf(['created_at', 'email']).default('-created_at'),
          email_prefix: emailFilter.optional().describe('Only addresses starting with this (case-insensitive)'),
          email_contains: emailFilter.optional().describe('Only addresses containing this (case-insensitive)'),
          status: z.enum(USER_STATUSES).optional(),
          role: z.enum(ROLES).optional(),
          created_after: timestamp.optional().describe('Created at or after this time'),
          created_before: timestamp.optional().describe('Created before this time'),
        })
        .strict(),
      responses: { 200: page(userSchema).describe('UserPage'), ...problems(400, 401, 403) },
      metadata: needs('users:read'),
    },
    get: {
      method: 'GET',
      path: '/users/:id',
      summary: 'Get a user',
      pathParams: z.object({ id: userId }),
      responses: { 200: userSchema, ...problems(400, 401, 403, 404) },
      metadata: needsWithEtag('users:read'),
    },
    create: {
      method: 'POST',
      path: '/users',
      summary: 'Create a user whose email counts as verified (an admin vouches for it)',
      body: z
        .object({
          email: z.string().min(1).max(254),
          password: z.string().min(1).max(1024).optional().describe('Without it the user signs in with emailed codes'),
          name: z.string().max(100).optional().describe('Display name'),
          role: z.enum(ROLES).default('user'),
        })
        .strict(),
      responses: { 201: userSchema, ...problems(400, 401, 403, 409) },
      metadata: needsWithEtag('users:write'),
    },
    update: {
      method: 'PATCH',
      path: '/users/:id',
      summary: 'Change a user\'s profile, role or status (blocking revokes sessions and grants)',
      pathParams: z.object({ id: userId }),
      headers: ifMatchHeaders,
      body: z
        .object({
          username: name.optional(),
          display_name: name.optional(),
          first_name: name.optional(),
          last_name: name.optional(),
          role: z.enum(ROLES).optional(),
          status: z.enum(['active', 'blocked']).optional().describe('Delete and lock have their own routes'),
        })
        .strict(),
      responses: { 200: userSchema, ...problems(400, 401, 403, 404, 409, 412, 428) },
      metadata: needsWithEtag('users:write'),
    },
    block: { ...statusAction('Block a user: sessions and grants are revoked on every server'), path: '/users/:id/block' },
    unblock: { ...statusAction('Let a blocked user sign in again'), path: '/users/:id/unblock' },
    delete: {
      method: 'DELETE',
      path: '/users/:id',
      summary: 'Delete a user (final; the row stays, status deleted, for the audit trail): sessions and grants are revoked',
      pathParams: z.object({ id: userId }),
      body: c.noBody(),
      responses: { 200: userStandingSchema, ...problems(400, 401, 403, 404, 409) },
      metadata: needs('users:write'),
    },
    lock: {
      ...statusAction('Lock a user until a time: sessions and grants are revoked now'),
      path: '/users/:id/lock',
      body: z.object({ until: timestamp.describe('In the future'), reason: reason.optional() }).strict(),
    },
    unlock: { ...statusAction('Lift a lock before its time'), path: '/users/:id/unlock' },
    signOut: {
      method: 'POST',
      path: '/users/:id/sign-out',
      summary: 'Sign a user out everywhere: every browser session is revoked',
      pathParams: z.object({ id: userId }),
      body: z.object({ reason: reason.optional() }).strict(),
      responses: { 200: z.object({ sessions_revoked: z.number().int() }).describe('SessionsRevokedCount'), ...problems(400, 401, 403, 404) },
      metadata: needs('users:write'),
    },
    revokeGrants: {
      method: 'POST',
      path: '/users/:id/revoke-grants',
      summary: 'Revoke what a user allowed apps to do (all apps, or one) with their tokens and codes',
      pathParams: z.object({ id: userId }),
      body: z
        .object({
          client_id: z.string().min(1).max(200).optional().describe('Only this client'),
          reason: reason.optional(),
        })
        .strict(),
      responses: { 200: z.object({ grants_revoked: z.number().int() }).describe('GrantsRevokedCount'), ...problems(400, 401, 403, 404) },
      metadata: needs('users:write'),
    },
  },
  { strictStatusCodes: true },
);

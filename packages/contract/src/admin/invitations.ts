import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs } from '../common/api-scopes.ts';
import { page, pageQuery, sortOf, timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';
import { scopeName } from './scopes.ts';

const c = initContract();

const invitationId = z.string().uuid('must be an invitation id (uuid)');

export const INVITATION_STATUSES = ['pending', 'redeemed', 'revoked', 'expired'] as const;

export const invitationSchema = z
  .object({
    id: invitationId,
    email: z.string().nullable().describe('Only this address may redeem it'),
    scopes: z.array(z.string()).describe('Granted to the account that redeems it'),
    status: z.enum(INVITATION_STATUSES),
    created_by: z.string().nullable(),
    created_at: timestamp,
    expires_at: timestamp.nullable(),
    redeemed_by: z.string().nullable(),
    redeemed_at: timestamp.nullable(),
    revoked_at: timestamp.nullable(),
  })
  .describe('Invitation');

export const invitationsContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/invitations',
      summary: 'List invitations',
      query: z
        .object({
          ...pageQuery,
          status: z.enum(INVITATION_STATUSES).optional(),
          sort: sortOf(['created_at']).default('-created_at'),
        })
        .strict(),
      responses: { 200: page(invitationSchema).describe('InvitationPage'), ...problems(400, 401, 403) },
      metadata: needs('invitations:read'),
    },
    get: {
      method: 'GET',
      path: '/invitations/:id',
      summary: 'Get an invitation',
      pathParams: z.object({ id: invitationId }),
      responses: { 200: invitationSchema, ...problems(400, 401, 403, 404) },
      metadata: needs('invitations:read'),
    },
    create: {
      method: 'POST',
      path: '/invitations',
      summary: 'Create an invitation; its code is in this answer only (stored as a hash)',
      body: z
        .object({
          email: z.string().min(1).max(254).nullable().optional().describe('Only this address may redeem it'),
          scopes: z.array(scopeName).max(50).default([]),
          expires_in: z
            .number()
            .int()
            .min(1)
            .max(365 * 86_400)
            .nullable()
            .default(7 * 86_400)
            .describe('Seconds until it expires (at most 365 days); null: never'),
        })
        .strict(),
      responses: {
        201: z
          .object({ invitation: invitationSchema, code: z.string().describe('Shown only now'), url: z.string().describe('The sign-up link with the code') })
          .describe('CreatedInvitation'),
        ...problems(400, 401, 403),
      },
      metadata: needs('invitations:write'),
    },
    revoke: {
      method: 'POST',
      path: '/invitations/:id/revoke',
      summary: 'Revoke an unredeemed invitation: its code stops working at once',
      pathParams: z.object({ id: invitationId }),
      body: c.noBody(),
      responses: { 200: invitationSchema, ...problems(400, 401, 403, 404, 409) },
      metadata: needs('invitations:write'),
    },
  },
  { strictStatusCodes: true },
);

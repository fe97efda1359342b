import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs } from '../common/api-scopes.ts';
import { page, pageQuery, timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';

const c = initContract();

/** Ids and names in filters: printable, no spaces or quotes, so a filter only ever compares. */
const token = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'may only hold letters, digits and . _ : @ -');

export const AUDIT_ACTOR_TYPES = ['user', 'client', 'operator', 'system'] as const;

export const auditEventSchema = z
  .object({
    id: z.string().uuid(),
    occurred_at: timestamp,
    type: z.string().describe('Dotted event name, e.g. user.blocked, session.revoked'),
    actor: z.object({ type: z.enum(AUDIT_ACTOR_TYPES), id: z.string().nullable() }),
    subject: z.object({ type: z.string(), id: z.string() }).nullable(),
    client_id: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    data: z.record(z.unknown()).describe('Detail of the event; never secrets'),
  })
  .describe('AuditEvent');

export const auditEventsContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/audit-events',
      summary: 'List audit events, newest first',
      query: z
        .object({
          ...pageQuery,
          actor_type: z.enum(AUDIT_ACTOR_TYPES).optional(),
          actor_id: token.optional().describe('A user id, client id, or "cli"'),
          subject_type: token.optional().describe('e.g. user, session, invitation, client'),
          subject_id: token.optional(),
          type: token.optional().describe('An exact event type, e.g. user.blocked'),
          occurred_after: timestamp.optional().describe('At or after this time'),
          occurred_before: timestamp.optional().describe('Before this time'),
        })
        .strict(),
      responses: { 200: page(auditEventSchema).describe('AuditEventPage'), ...problems(400, 401, 403) },
      metadata: needs('audit:read'),
    },
  },
  { strictStatusCodes: true },
);

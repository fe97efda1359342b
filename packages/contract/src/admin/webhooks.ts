import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs, needsWithEtag } from '../common/api-scopes.ts';
import { ifMatchHeaders } from '../common/etag.ts';
import { page, pageQuery, sortOf, timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from '../common/webhook-events.ts';

const c = initContract();

export { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from '../common/webhook-events.ts';

export const webhookEventType = z.enum(WEBHOOK_EVENT_TYPES);

const webhookId = z.string().uuid('must be a webhook id (uuid)');
const deliveryId = z.string().uuid('must be a delivery id (uuid)');
const eventId = z.string().regex(/^[0-9]{1,18}$/, 'must be an event id (digits)');

const webhookUrl = z
  .string()
  .max(2000)
  .url()
  .refine((value) => /^https?:\/\//i.test(value), 'must be an http or https URL')
  .describe('Where deliveries are POSTed; redirects are not followed');
const description = z.string().trim().max(500).nullable();
const eventTypes = z.array(webhookEventType).min(1).max(WEBHOOK_EVENT_TYPES.length * 2).describe('The event types this endpoint receives');

export const webhookSchema = z
  .object({
    id: webhookId,
    url: z.string(),
    description: z.string().nullable(),
    event_types: z.array(z.string()),
    enabled: z.boolean(),
    previous_secret_expires_at: timestamp.nullable().describe('After a rotation: until when deliveries also carry a signature with the previous secret'),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .describe('Webhook');

export const webhookWithSecretSchema = webhookSchema
  .extend({ secret: z.string().describe('The signing secret (whsec_…, Standard Webhooks). Shown only in this response') })
  .describe('WebhookWithSecret');

export const webhookDeliverySchema = z
  .object({
    id: deliveryId,
    webhook_id: webhookId,
    event_id: eventId.describe('Also the webhook-id header of the delivery: evt_<event_id>'),
    event_type: z.string(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: z.number().int(),
    next_attempt_at: timestamp.nullable().describe('When the next attempt is due (pending only)'),
    last_attempt_at: timestamp.nullable(),
    last_status: z.number().int().nullable().describe('HTTP status of the last attempt; null when no answer came'),
    last_error: z.string().nullable().describe('Why the last attempt failed (a short excerpt of the answer at most)'),
    delivered_at: timestamp.nullable(),
    created_at: timestamp,
  })
  .describe('WebhookDelivery');

export const webhooksContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/webhooks',
      summary: 'List webhooks',
      query: z.object({ ...pageQuery, sort: sortOf(['created_at']).default('created_at') }).strict(),
      responses: { 200: page(webhookSchema).describe('WebhookPage'), ...problems(400, 401, 403) },
      metadata: needs('webhooks:read'),
    },
    get: {
      method: 'GET',
      path: '/webhooks/:id',
      summary: 'Get a webhook (never its secret)',
      pathParams: z.object({ id: webhookId }),
      responses: { 200: webhookSchema, ...problems(400, 401, 403, 404) },
      metadata: needsWithEtag('webhooks:read'),
    },
    create: {
      method: 'POST',
      path: '/webhooks',
      summary: 'Register a webhook endpoint; its signing secret is shown once',
      body: z.object({ url: webhookUrl, description: description.optional(), event_types: eventTypes, enabled: z.boolean().optional() }).strict(),
      responses: { 201: webhookWithSecretSchema, ...problems(400, 401, 403) },
      metadata: needsWithEtag('webhooks:write'),
    },
    update: {
      method: 'PATCH',
      path: '/webhooks/:id',
      summary: 'Change a webhook\'s URL, description, event types or enabled flag',
      pathParams: z.object({ id: webhookId }),
      headers: ifMatchHeaders,
      body: z
        .object({ url: webhookUrl.optional(), description: description.optional(), event_types: eventTypes.optional(), enabled: z.boolean().optional() })
        .strict()
        .refine((body) => Object.keys(body).length > 0, 'name at least one field to change'),
      responses: { 200: webhookSchema, ...problems(400, 401, 403, 404, 412, 428) },
      metadata: needsWithEtag('webhooks:write'),
    },
    delete: {
      method: 'DELETE',
      path: '/webhooks/:id',
      summary: 'Delete a webhook and its delivery history (If-Match optional: when sent, it must match)',
      pathParams: z.object({ id: webhookId }),
      headers: ifMatchHeaders,
      body: c.noBody(),
      responses: { 204: c.noBody(), ...problems(400, 401, 403, 404, 412) },
      metadata: needs('webhooks:write'),
    },
    rotateSecret: {
      method: 'POST',
      path: '/webhooks/:id/rotate-secret',
      summary: 'Replace the signing secret (shown once); the previous one keeps signing for 24 hours',
      pathParams: z.object({ id: webhookId }),
      body: c.noBody(),
      responses: { 200: webhookWithSecretSchema, ...problems(400, 401, 403, 404, 409) },
      metadata: needsWithEtag('webhooks:write'),
    },
    listDeliveries: {
      method: 'GET',
      path: '/webhooks/:id/deliveries',
      summary: 'List a webhook\'s deliveries, newest first',
      pathParams: z.object({ id: webhookId }),
      query: z
        .object({
          ...pageQuery,
          status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(),
          event_type: webhookEventType.optional(),
          sort: sortOf(['created_at']).default('-created_at'),
        })
        .strict(),
      responses: { 200: page(webhookDeliverySchema).describe('WebhookDeliveryPage'), ...problems(400, 401, 403, 404) },
      metadata: needs('webhooks:read'),
    },
    replayDelivery: {
      method: 'POST',
      path: '/webhooks/:id/deliveries/:deliveryId/replay',
      summary: 'Send a delivered or failed delivery again (same webhook-id)',
      pathParams: z.object({ id: webhookId, deliveryId }),
      body: c.noBody(),
      responses: { 202: webhookDeliverySchema, ...problems(400, 401, 403, 404, 409) },
      metadata: needs('webhooks:write'),
    },
    replayEvent: {
      method: 'POST',
      path: '/webhooks/:id/events/:eventId/replay',
      summary: 'Send a stored event to this webhook (again), subscribed or not',
      pathParams: z.object({ id: webhookId, eventId }),
      body: c.noBody(),
      responses: { 202: webhookDeliverySchema, ...problems(400, 401, 403, 404, 409) },
      metadata: needs('webhooks:write'),
    },
  },
  { strictStatusCodes: true },
);

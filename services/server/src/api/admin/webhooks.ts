import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { listDeliveries, type DeliveryRow } from '../../db/webhook-deliveries.ts';
import { findWebhook, listWebhooks } from '../../db/webhooks.ts';
import {
  createWebhook,
  removeWebhook,
  replay,
  rotateWebhookSecret,
  updateWebhookSettings,
  webhookView,
  type WebhookProblem,
} from '../../webhooks/manage.ts';
import type { ApiDeps } from '../deps.ts';
import { etagOf, requireIfMatch } from '../etag.ts';
import { ApiProblem } from '../problem.ts';
import { cursorOf, iso, positionOf, requestActor } from './request-actor.ts';

const s = initServer();

function fail(result: WebhookProblem, what = 'webhook'): never {
  switch (result.problem) {
    case 'invalid':
      throw new ApiProblem('validation_failed', result.detail);
    case 'stale':
      throw new ApiProblem('precondition_failed', 'the webhook changed since you read it: GET it again and retry with its new ETag');
    case 'pending':
      throw new ApiProblem('conflict', 'that delivery is still being tried; replay it once it is delivered or failed');
    default:
      throw new ApiProblem('not_found', `no such ${what}`);
  }
}

const deliveryView = (row: DeliveryRow) => ({
  id: row.id,
  webhook_id: row.webhook_id,
  event_id: row.event_id,
  event_type: row.event_type,
  status: row.status,
  attempts: row.attempts,
  next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : null,
  last_attempt_at: iso(row.last_attempt_at),
  last_status: row.last_status,
  last_error: row.last_error,
  delivered_at: iso(row.delivered_at),
  created_at: iso(row.created_at)!,
});

/** /api/v1/admin/webhooks: thin handlers over src/webhooks/manage.ts; the secret is in the create and rotate answers only. */
export function adminWebhooks(deps: ApiDeps) {
  const { knex } = deps.db;
  const { keyring } = deps;
  const manage = { knex, keyring };
  return s.router(contract.admin.webhooks, {
    list: async ({ query }) => {
      const scope = { route: 'admin.webhooks.list', sort: query.sort, filters: {} };
      const { rows, next } = await listWebhooks(knex, { limit: query.limit, desc: query.sort.startsWith('-'), after: positionOf(keyring, scope, query.cursor) });
      return { status: 200, body: { items: rows.map(webhookView), next_cursor: cursorOf(keyring, scope, next) } };
    },
    get: async ({ params, res }) => {
      const row = await findWebhook(knex, params.id);
      if (!row) throw new ApiProblem('not_found', 'no such webhook');
      res.setHeader('ETag', etagOf(row.version));
      return { status: 200, body: webhookView(row) };
    },
    create: async ({ body, req, res }) => {
      const result = await createWebhook(manage, body, requestActor(req, res));
      if ('problem' in result) fail(result);
      res.setHeader('ETag', etagOf(result.version));
      return { status: 201, body: { ...result.webhook, secret: result.secret } };
    },
    update: async ({ params, headers, body, req, res }) => {
      const version = requireIfMatch(headers['if-match']);
      const result = await updateWebhookSettings(manage, params.id, body, version, requestActor(req, res));
      if ('problem' in result) fail(result);
      res.setHeader('ETag', etagOf(result.version));
      return { status: 200, body: result.webhook };
    },
    delete: async ({ params, headers, req, res }) => {
      const version = headers['if-match'] === undefined ? undefined : requireIfMatch(headers['if-match']);
      const result = await removeWebhook(manage, params.id, version, requestActor(req, res));
      if ('problem' in result) fail(result);
      return { status: 204, body: undefined };
    },
    rotateSecret: async ({ params, req, res }) => {
      const result = await rotateWebhookSecret(manage, params.id, requestActor(req, res));
      if ('problem' in result) {
        // Changed by someone else between our read and write: say so rather than retry blindly.
        if (result.problem === 'stale') throw new ApiProblem('conflict', 'the webhook changed meanwhile; rotate again');
        fail(result);
      }
      res.setHeader('ETag', etagOf(result.version));
      return { status: 200, body: { ...result.webhook, secret: result.secret } };
    },
    listDeliveries: async ({ params, query }) => {
      if (!(await findWebhook(knex, params.id))) throw new ApiProblem('not_found', 'no such webhook');
      const filters = { webhook: params.id, status: query.status, event_type: query.event_type };
      const scope = { route: 'admin.webhooks.deliveries', sort: query.sort, filters };
      const { rows, next } = await listDeliveries(knex, params.id, {
        status: query.status,
        eventType: query.event_type,
        limit: query.limit,
        desc: query.sort.startsWith('-'),
        after: positionOf(keyring, scope, query.cursor),
      });
      return { status: 200, body: { items: rows.map(deliveryView), next_cursor: cursorOf(keyring, scope, next) } };
    },
    replayDelivery: async ({ params, req, res }) => {
      const result = await replay(manage, params.id, { delivery: params.deliveryId }, requestActor(req, res));
      if ('problem' in result) fail(result, 'webhook or delivery');
      return { status: 202, body: deliveryView(result) };
    },
    replayEvent: async ({ params, req, res }) => {
      const result = await replay(manage, params.id, { event: params.eventId }, requestActor(req, res));
      if ('problem' in result) fail(result, 'webhook or event');
      return { status: 202, body: deliveryView(result) };
    },
  });
}

import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';
import { findWebhookEvent } from '../db/webhook-events.ts';
import { replayDelivery, replayEvent, type DeliveryRow } from '../db/webhook-deliveries.ts';
import { deleteWebhook, findWebhook, insertWebhook, updateWebhook, type WebhookChange, type WebhookRow } from '../db/webhooks.ts';
import { recordActorEvent, type Actor } from '../events/actor.ts';
import type { AuditEventType } from '../events/audit.ts';
import { isWebhookEventType } from './catalogue.ts';
import { newWebhookSecret, ROTATION_GRACE_SECONDS, sealSecret } from './secret.ts';

/**
 * What operators do with webhooks (the admin API calls these): every change
 * is one transaction with its audit event, and a secret is returned only by
 * the call that made it (create, rotate).
 */

export type WebhookDeps = { knex: Knex; keyring: Keyring };

const audit = (trx: Knex, type: AuditEventType, actor: Actor, id: string, data: Record<string, unknown>) =>
  recordActorEvent(trx, actor, { type, subject: { type: 'webhook', id }, data });

export const URL_MAX_LENGTH = 2000;
export const DESCRIPTION_MAX_LENGTH = 500;

export type WebhookView = {
  id: string;
  url: string;
  description: string | null;
  event_types: string[];
  enabled: boolean;
  /** While the previous secret still signs (after a rotation), until when. */
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
};

export function webhookView(row: WebhookRow): WebhookView {
  const until = row.previous_secret_until && new Date(row.previous_secret_until).getTime() > Date.now() ? new Date(row.previous_secret_until).toISOString() : null;
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    event_types: row.event_types,
    enabled: row.enabled,
    previous_secret_expires_at: until,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

/** Why a URL cannot be an endpoint, or undefined when it can: http(s), no credentials, no fragment. */
export function webhookUrlProblem(value: string): string | undefined {
  if (value.length > URL_MAX_LENGTH) return `url must be at most ${URL_MAX_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'url must be an absolute http or https URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'url must be an absolute http or https URL';
  if (url.username || url.password) return 'url must not contain credentials (put them in the receiver, the signature authenticates us)';
  if (url.hash) return 'url must not contain a fragment';
  return undefined;
}

export function eventTypesProblem(types: readonly string[]): string | undefined {
  if (types.length === 0) return 'event_types must name at least one event type';
  const unknown = types.find((type) => !isWebhookEventType(type));
  if (unknown !== undefined) return `event_types: unknown event type "${unknown.slice(0, 50)}"`;
  return undefined;
}

export type WebhookProblem = { problem: 'invalid'; detail: string } | { problem: 'not_found' } | { problem: 'stale' } | { problem: 'pending' };

export type CreateWebhookInput = { url: string; description?: string | null; event_types: string[]; enabled?: boolean };

export async function createWebhook(deps: WebhookDeps, input: CreateWebhookInput, actor: Actor): Promise<{ webhook: WebhookView; secret: string; version: string } | WebhookProblem> {
  const detail = webhookUrlProblem(input.url) ?? eventTypesProblem(input.event_types);
  if (detail) return { problem: 'invalid', detail };
  const secret = newWebhookSecret();
  return deps.knex.transaction(async (trx) => {
    const row = await insertWebhook(trx, {
      url: input.url,
      description: input.description ?? null,
      event_types: [...new Set(input.event_types)],
      secret: sealSecret(deps.keyring, secret),
      enabled: input.enabled ?? true,
    });
    await audit(trx, 'webhook.created', actor, row.id, { url: row.url, event_types: row.event_types });
    return { webhook: webhookView(row), secret, version: row.version };
  });
}

export type UpdateWebhookInput = Partial<Pick<CreateWebhookInput, 'url' | 'description' | 'event_types' | 'enabled'>>;

/** Applies a change only to the version the caller saw (`ifVersion`, from the ETag). */
export async function updateWebhookSettings(
  deps: WebhookDeps,
  id: string,
  input: UpdateWebhookInput,
  ifVersion: string,
  actor: Actor,
): Promise<{ webhook: WebhookView; version: string } | WebhookProblem> {
  const detail = (input.url !== undefined ? webhookUrlProblem(input.url) : undefined) ?? (input.event_types !== undefined ? eventTypesProblem(input.event_types) : undefined);
  if (detail) return { problem: 'invalid', detail };
  const change: WebhookChange = {};
  if (input.url !== undefined) change.url = input.url;
  if (input.description !== undefined) change.description = input.description;
  if (input.event_types !== undefined) change.event_types = [...new Set(input.event_types)];
  if (input.enabled !== undefined) change.enabled = input.enabled;
  return deps.knex.transaction(async (trx) => {
    const row = await updateWebhook(trx, id, change, ifVersion);
    if (row === 'not_found' || row === 'stale') return { problem: row };
    await audit(trx, 'webhook.updated', actor, id, { fields: Object.keys(change) });
    return { webhook: webhookView(row), version: row.version };
  });
}

export async function removeWebhook(deps: WebhookDeps, id: string, ifVersion: string | undefined, actor: Actor): Promise<{ deleted: true } | WebhookProblem> {
  return deps.knex.transaction(async (trx) => {
    const row = await deleteWebhook(trx, id, ifVersion);
    if (row === 'not_found' || row === 'stale') return { problem: row };
    await audit(trx, 'webhook.deleted', actor, id, { url: row.url });
    return { deleted: true as const };
  });
}

/**
 * A new secret, returned once. The one it replaces keeps signing (both
 * signatures on every delivery) for ROTATION_GRACE_SECONDS, so receivers can
 * switch without losing a delivery; an older previous secret is dropped.
 */
export async function rotateWebhookSecret(deps: WebhookDeps, id: string, actor: Actor): Promise<{ webhook: WebhookView; secret: string; version: string } | WebhookProblem> {
  const secret = newWebhookSecret();
  return deps.knex.transaction(async (trx) => {
    const current = await findWebhook(trx, id);
    if (!current) return { problem: 'not_found' as const };
    const row = await updateWebhook(
      trx,
      id,
      { secret: sealSecret(deps.keyring, secret), previous_secret: current.secret, previous_secret_until: new Date(Date.now() + ROTATION_GRACE_SECONDS * 1000) },
      current.version,
    );
    // Someone else rotated or changed it between our read and write: their secret must not be lost silently.
    if (row === 'not_found' || row === 'stale') return { problem: row };
    await audit(trx, 'webhook.secret_rotated', actor, id, { grace_seconds: ROTATION_GRACE_SECONDS });
    return { webhook: webhookView(row), secret, version: row.version };
  });
}

export type ReplayTarget = { delivery: string } | { event: string };

/** Sends a delivery, or an event, to this webhook again (same webhook-id). */
export async function replay(deps: WebhookDeps, webhookId: string, target: ReplayTarget, actor: Actor): Promise<DeliveryRow | WebhookProblem> {
  return deps.knex.transaction(async (trx) => {
    if (!(await findWebhook(trx, webhookId))) return { problem: 'not_found' as const };
    if ('event' in target && !(await findWebhookEvent(trx, target.event))) return { problem: 'not_found' as const };
    const row = 'delivery' in target ? await replayDelivery(trx, webhookId, target.delivery) : await replayEvent(trx, webhookId, target.event);
    if (row === 'not_found' || row === 'pending') return { problem: row };
    await audit(trx, 'webhook.replayed', actor, webhookId, { delivery_id: row.id, event_id: row.event_id });
    return row;
  });
}

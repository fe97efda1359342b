import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';
import { deleteStream, findOwnStream, insertStream, listOwnStreams, updateStream, type StreamFields, type StreamRow, type StreamStatus } from '../db/ssf-streams.ts';
import { upsertStreamSubject } from '../db/ssf-subjects.ts';
import { recordAuditEvent } from '../events/audit.ts';
import { builtInApiIdentifier } from '../oidc/resources.ts';
import { enqueueStreamEvent } from './enqueue.ts';
import { EVENT, EVENTS_SUPPORTED, eventsDelivered, POLL, PUSH } from './events.ts';
import { resolveSubject } from './subjects.ts';

/**
 * Stream management (SSF 1.0 §8.1) for one receiver: the confidential
 * client whose token calls. A receiver sees and changes only its own
 * streams; another's is answered as missing. Each change is one
 * transaction with its audit event.
 */

export type StreamDeps = { knex: Knex; keyring: Keyring; issuer: string };

/** A refusal the routes answer with `{ error, error_description }`. */
export class StreamError extends Error {
  readonly status: 400 | 404;
  readonly code: string;
  constructor(status: 400 | 404, code: string, description: string) {
    super(description);
    this.status = status;
    this.code = code;
  }
}

const invalid = (description: string) => new StreamError(400, 'invalid_request', description);
const notFound = () => new StreamError(404, 'not_found', 'no such stream');

const DESCRIPTION_MAX = 500;
const URL_MAX = 2000;
const HEADER_MAX = 4096;
const EVENTS_MAX = 50;

export type StreamConfiguration = ReturnType<typeof streamConfiguration>;

export function streamConfiguration(issuer: string, row: StreamRow) {
  return {
    stream_id: row.id,
    iss: issuer,
    aud: row.aud,
    delivery: { method: row.delivery_method, endpoint_url: row.delivery_method === POLL ? `${issuer}/ssf/poll/${row.id}` : row.endpoint_url },
    events_supported: [...EVENTS_SUPPORTED],
    events_requested: row.events_requested,
    events_delivered: row.events_delivered,
    ...(row.description !== null ? { description: row.description } : {}),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function endpointProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > URL_MAX) return `delivery.endpoint_url must be an absolute http or https URL of at most ${URL_MAX} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'delivery.endpoint_url must be an absolute http or https URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'delivery.endpoint_url must be an absolute http or https URL';
  if (url.username || url.password) return 'delivery.endpoint_url must not contain credentials (use delivery.authorization_header)';
  if (url.hash) return 'delivery.endpoint_url must not contain a fragment';
  return undefined;
}

/** The delivery fields of a request (poll when none is given), the authorization header sealed. */
function parseDelivery(deps: StreamDeps, value: unknown): Pick<StreamFields, 'delivery_method' | 'endpoint_url' | 'authorization_header'> {
  if (value === undefined) return { delivery_method: POLL, endpoint_url: null, authorization_header: null };
  if (!isObject(value)) throw invalid('delivery must be an object');
  const method = value.method ?? POLL;
  if (method === POLL) {
    // The transmitter supplies a poll URL (RFC 8936); a receiver's is ignored.
    return { delivery_method: POLL, endpoint_url: null, authorization_header: null };
  }
  if (method !== PUSH) throw invalid(`delivery.method must be ${PUSH} or ${POLL}`);
  const problem = endpointProblem(value.endpoint_url);
  if (problem) throw invalid(problem);
  const header = value.authorization_header;
  if (header !== undefined && (typeof header !== 'string' || !header || header.length > HEADER_MAX || /[\r\n\0]/.test(header))) {
    throw invalid(`delivery.authorization_header must be one header value of at most ${HEADER_MAX} characters`);
  }
  return {
    delivery_method: PUSH,
    endpoint_url: value.endpoint_url as string,
    authorization_header: typeof header === 'string' ? deps.keyring.encrypt('ssf-authorization', header) : null,
  };
}

function parseEvents(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > EVENTS_MAX || value.some((type) => typeof type !== 'string' || type.length > 300)) {
    throw invalid(`events_requested must be an array of at most ${EVENTS_MAX} event type URIs`);
  }
  return [...new Set(value as string[])];
}

function parseDescription(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > DESCRIPTION_MAX) throw invalid(`description must be a string of at most ${DESCRIPTION_MAX} characters`);
  return value;
}

export function parseStreamId(value: unknown): string {
  if (typeof value !== 'string' || !value) throw invalid('stream_id is required');
  return value;
}

/** The audience of a receiver's SETs: the API it introspects for, else its own client id (contract §3). */
async function audienceOf(deps: StreamDeps, clientId: string): Promise<string> {
  const resource = (await deps.knex('clients as c')
    .join('api_resources as r', 'r.id', 'c.introspects_resource_id')
    .where('c.id', clientId)
    .first('r.identifier', 'r.built_in')) as { identifier: string; built_in: boolean } | undefined;
  if (!resource) return clientId;
  return resource.built_in ? builtInApiIdentifier(deps.issuer) : resource.identifier;
}

const audit = (db: Knex, type: 'ssf_stream.created' | 'ssf_stream.updated' | 'ssf_stream.deleted', clientId: string, streamId: string, data: Record<string, unknown>) =>
  recordAuditEvent(db, { type, actorType: 'client', actorId: clientId, clientId, subject: { type: 'ssf_stream', id: streamId }, data });

export async function createStream(deps: StreamDeps, clientId: string, body: unknown): Promise<StreamConfiguration> {
  if (!isObject(body)) throw invalid('the body must be a JSON object');
  const delivery = parseDelivery(deps, body.delivery);
  const requested = parseEvents(body.events_requested);
  const description = parseDescription(body.description);
  const aud = await audienceOf(deps, clientId);
  return deps.knex.transaction(async (trx) => {
    const row = await insertStream(trx, clientId, { aud, ...delivery, events_requested: requested, events_delivered: eventsDelivered(requested), description });
    await audit(trx, 'ssf_stream.created', clientId, row.id, { delivery_method: row.delivery_method, events_delivered: row.events_delivered });
    return streamConfiguration(deps.issuer, row);
  });
}

export async function readStream(deps: StreamDeps, clientId: string, streamId: string): Promise<StreamConfiguration> {
  const row = await findOwnStream(deps.knex, clientId, streamId);
  if (!row) throw notFound();
  return streamConfiguration(deps.issuer, row);
}

export async function readStreams(deps: StreamDeps, clientId: string): Promise<StreamConfiguration[]> {
  return (await listOwnStreams(deps.knex, clientId)).map((row) => streamConfiguration(deps.issuer, row));
}

/** PATCH changes the fields given; PUT (replace) sets every receiver-supplied field, absent ones to their defaults. */
export async function changeStream(deps: StreamDeps, clientId: string, body: unknown, mode: 'update' | 'replace'): Promise<StreamConfiguration> {
  if (!isObject(body)) throw invalid('the body must be a JSON object');
  const streamId = parseStreamId(body.stream_id);
  const change: Partial<StreamFields> = {};
  if (mode === 'replace' || body.delivery !== undefined) Object.assign(change, parseDelivery(deps, body.delivery));
  if (mode === 'replace' || body.events_requested !== undefined) {
    const requested = parseEvents(body.events_requested);
    Object.assign(change, { events_requested: requested, events_delivered: eventsDelivered(requested) });
  }
  if (mode === 'replace' || body.description !== undefined) change.description = parseDescription(body.description);
  return deps.knex.transaction(async (trx) => {
    if (!(await findOwnStream(trx, clientId, streamId))) throw notFound();
    const row = await updateStream(trx, streamId, change);
    if (!row) throw notFound();
    await audit(trx, 'ssf_stream.updated', clientId, streamId, { fields: Object.keys(change).filter((key) => key !== 'authorization_header'), mode });
    return streamConfiguration(deps.issuer, row);
  });
}

export async function removeStream(deps: StreamDeps, clientId: string, streamId: string): Promise<void> {
  await deps.knex.transaction(async (trx) => {
    if (!(await deleteStream(trx, streamId, clientId))) throw notFound();
    await audit(trx, 'ssf_stream.deleted', clientId, streamId, {});
  });
}

export async function readStatus(deps: StreamDeps, clientId: string, streamId: string) {
  const row = await findOwnStream(deps.knex, clientId, streamId);
  if (!row) throw notFound();
  return { stream_id: row.id, status: row.status, ...(row.status_reason ? { reason: row.status_reason } : {}) };
}

const STATUSES: readonly StreamStatus[] = ['enabled', 'paused', 'disabled'];

/** A status change is announced on the stream itself (stream-updated), after the change. */
export async function changeStatus(deps: StreamDeps, clientId: string, body: unknown) {
  if (!isObject(body)) throw invalid('the body must be a JSON object');
  const streamId = parseStreamId(body.stream_id);
  const status = body.status as StreamStatus;
  if (!STATUSES.includes(status)) throw invalid('status must be enabled, paused or disabled');
  if (body.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > DESCRIPTION_MAX)) throw invalid(`reason must be a string of at most ${DESCRIPTION_MAX} characters`);
  const reason = (body.reason as string | undefined) ?? null;
  return deps.knex.transaction(async (trx) => {
    if (!(await findOwnStream(trx, clientId, streamId))) throw notFound();
    const row = (await updateStream(trx, streamId, { status, status_reason: reason }))!;
    await audit(trx, 'ssf_stream.updated', clientId, streamId, { fields: ['status'], status });
    // A disabled stream keeps nothing: what waited is dropped, and the announcement would never go out.
    if (status === 'disabled') await trx('ssf_outbox').where({ stream_id: streamId, state: 'pending' }).update({ state: 'failed', last_error: 'stream disabled' });
    else await enqueueStreamEvent(trx, streamId, { type: EVENT.streamUpdated, subject: { kind: 'stream' }, claims: { status, ...(reason ? { reason } : {}) } });
    return { stream_id: row.id, status: row.status, ...(row.status_reason ? { reason: row.status_reason } : {}) };
  });
}

/** add_subject / remove_subject: unknown people are accepted silently (no one learns who has an account). */
export async function changeSubject(deps: StreamDeps, clientId: string, body: unknown, action: 'add' | 'remove'): Promise<void> {
  if (!isObject(body)) throw invalid('the body must be a JSON object');
  const streamId = parseStreamId(body.stream_id);
  const resolved = await resolveSubject(deps.knex, deps.issuer, body.subject);
  if ('problem' in resolved) throw invalid(resolved.problem);
  await deps.knex.transaction(async (trx) => {
    if (!(await findOwnStream(trx, clientId, streamId))) throw notFound();
    if (resolved.userId) await upsertStreamSubject(trx, streamId, resolved.userId, resolved.subject, action === 'remove');
  });
}

/** SSF 1.0 §8.1.4: a verification event with the receiver's `state`, on the stream. */
export async function requestVerification(deps: StreamDeps, clientId: string, body: unknown): Promise<void> {
  if (!isObject(body)) throw invalid('the body must be a JSON object');
  const streamId = parseStreamId(body.stream_id);
  if (body.state !== undefined && (typeof body.state !== 'string' || body.state.length > DESCRIPTION_MAX)) throw invalid(`state must be a string of at most ${DESCRIPTION_MAX} characters`);
  await deps.knex.transaction(async (trx) => {
    const row = await findOwnStream(trx, clientId, streamId);
    if (!row) throw notFound();
    if (row.status === 'disabled') throw invalid('the stream is disabled');
    await enqueueStreamEvent(trx, streamId, { type: EVENT.verification, subject: { kind: 'stream' }, claims: body.state !== undefined ? { state: body.state } : {} });
  });
}

import type { Knex } from 'knex';
import { deleteScope, findScope, insertScope, listScopes, updateScopeIfVersion, upsertScope, type ScopeListQuery, type VersionedScopeRow } from '../db/scopes.ts';
import { recordActorEvent, type Actor } from '../events/actor.ts';
import type { AuditEventType } from '../events/audit.ts';
import { HttpError } from '../http/errors.ts';

/**
 * Scopes and their consent descriptions: the one implementation behind
 * `latchkey scopes create` and /api/v1/admin/scopes. Every change is an
 * audit event naming who made it.
 */

export const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
export const SCOPE_NAME_MAX = 200;
export const DESCRIPTION_MAX = 300;

export type ScopeView = { name: string; description: string; built_in: boolean; created_at: string; updated_at: string };

export const toScopeView = (row: VersionedScopeRow): ScopeView => ({
  name: row.name,
  description: row.description,
  built_in: row.built_in,
  created_at: new Date(row.created_at).toISOString(),
  updated_at: new Date(row.updated_at).toISOString(),
});

const invalid = (message: string) => new HttpError(400, 'validation_failed', message);

export function checkScopeName(name: string): string {
  if (!name || name.length > SCOPE_NAME_MAX || !SCOPE_TOKEN.test(name)) {
    throw invalid(`"${name.slice(0, 40)}" is not a valid scope token (1 to ${SCOPE_NAME_MAX} printable characters, no spaces, quotes or backslashes)`);
  }
  return name;
}

export function checkDescription(description: string, field = 'description'): string {
  const trimmed = description.trim();
  if (!trimmed || trimmed.length > DESCRIPTION_MAX) throw invalid(`${field} must be 1 to ${DESCRIPTION_MAX} characters`);
  return trimmed;
}

const audit = (knex: Knex, type: AuditEventType, name: string, actor: Actor, data: Record<string, unknown> = {}) =>
  recordActorEvent(knex, actor, { type, subject: { type: 'scope', id: name }, data });

/** Creates a scope; 409 when the name is taken. */
export async function createScope(knex: Knex, input: { name: string; description: string }, actor: Actor): Promise<VersionedScopeRow> {
  const name = checkScopeName(input.name);
  const description = checkDescription(input.description);
  return knex.transaction(async (trx) => {
    const row = await insertScope(trx, name, description);
    if (!row) throw new HttpError(409, 'conflict', `a scope named "${name}" already exists`);
    await audit(trx, 'scope.created', name, actor, { description });
    return row;
  });
}

/** Creates a scope or changes its description, unconditionally (the CLI: an operator on the server is the last word). */
export async function defineScope(knex: Knex, input: { name: string; description: string }, actor: Actor): Promise<{ name: string; description: string }> {
  const name = checkScopeName(input.name);
  const description = checkDescription(input.description, actor.actorType === 'operator' ? '--description' : 'description');
  return knex.transaction(async (trx) => {
    const before = await findScope(trx, name);
    const row = await upsertScope(trx, name, description);
    await audit(trx, before ? 'scope.updated' : 'scope.created', name, actor, { description });
    return { name: row.name, description: row.description };
  });
}

export async function getScope(knex: Knex, name: string): Promise<VersionedScopeRow> {
  const row = await findScope(knex, name);
  if (!row) throw new HttpError(404, 'not_found', `no scope named "${name}"`);
  return row;
}

/** Changes the description only if the scope is still at `version` (the If-Match ETag): 404 gone, 412 changed. */
export async function describeScope(knex: Knex, name: string, version: string, description: string, actor: Actor): Promise<VersionedScopeRow> {
  const text = checkDescription(description);
  return knex.transaction(async (trx) => {
    const row = await updateScopeIfVersion(trx, name, version, text);
    if (!row) {
      await getScope(trx, name);
      throw new HttpError(412, 'precondition_failed', 'the scope changed since you read it: GET it again and retry');
    }
    await audit(trx, 'scope.updated', name, actor, { description: text });
    return row;
  });
}

/** Deletes a scope; the built-in API's scopes stay (its routes check them). */
export async function removeScope(knex: Knex, name: string, actor: Actor): Promise<void> {
  await knex.transaction(async (trx) => {
    const row = await getScope(trx, name);
    if (row.built_in) throw new HttpError(409, 'conflict', `"${name}" is a scope of Latchkey's own API and cannot be deleted`);
    await deleteScope(trx, name);
    await audit(trx, 'scope.deleted', name, actor);
  });
}

export { listScopes, type ScopeListQuery };

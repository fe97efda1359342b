import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { getUser, searchUsers, updateUser, type AdminUser } from '../../accounts/admin-users.ts';
import { checkOperatorUser, createOperatorUser, NAME_MAX_LENGTH, type CreateUserProblem } from '../../accounts/create-user.ts';
import { changeAccountStatus, revokeGrants, type StatusChange, type StatusResult } from '../../accounts/status.ts';
import { findClientByIdOrName } from '../../db/clients.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../password/params.ts';
import { revokeUserSessions } from '../../sessions/revoke.ts';
import { principalOf } from '../authorize.ts';
import type { ApiDeps } from '../deps.ts';
import { etagOf, requireIfMatch } from '../etag.ts';
import { ApiProblem } from '../problem.ts';
import { refuseAdminRoleBeyondCaller } from './no-escalation.ts';
import { cursorOf, iso, positionOf, requestActor } from './request-actor.ts';

const s = initServer();

const CREATE_PROBLEMS: Record<CreateUserProblem, [code: 'validation_failed' | 'conflict', path: string, message: string]> = {
  email_invalid: ['validation_failed', 'body.email', 'must be an email address like name@example.com'],
  name_invalid: ['validation_failed', 'body.name', `must be at most ${NAME_MAX_LENGTH} characters`],
  role_invalid: ['validation_failed', 'body.role', 'must be user or admin'],
  password_short: ['validation_failed', 'body.password', `must be at least ${PASSWORD_MIN_LENGTH} characters`],
  password_long: ['validation_failed', 'body.password', `must be at most ${PASSWORD_MAX_LENGTH} characters`],
  password_common: ['validation_failed', 'body.password', 'is too common (or is the email address)'],
  email_taken: ['conflict', 'body.email', 'a user with this email address already exists'],
};

export const userView = (u: AdminUser) => ({
  id: u.id,
  email: u.email,
  email_verified: u.email_verified,
  username: u.username,
  display_name: u.display_name,
  first_name: u.first_name,
  last_name: u.last_name,
  avatar_url: u.avatar_url,
  status: u.status,
  role: u.role,
  scopes: u.scopes,
  locked_until: iso(u.locked_until),
  created_at: iso(u.created_at)!,
  updated_at: iso(u.updated_at)!,
  last_login_at: iso(u.last_login_at),
  deleted_at: iso(u.deleted_at),
});

const noUser = () => new ApiProblem('not_found', 'no such user');

/**
 * /api/v1/admin/users: thin handlers. Creation and standing (block, lock,
 * delete …) are the CLI's own services (create-user.ts, status.ts), so
 * both revoke the same things and write the same audit events.
 */
export function adminUsers(deps: ApiDeps) {
  const { knex } = deps.db;
  const { store, keyring } = deps;

  const standing = async (id: string, change: StatusChange, reason: string | undefined, actor: ReturnType<typeof requestActor>) => {
    const result: StatusResult = await changeAccountStatus({ knex, store }, id, change, { actor, reason });
    if (!result.ok) {
      if (result.problem === 'until_past') throw new ApiProblem('validation_failed', 'until must be in the future', { errors: [{ path: 'body.until', message: 'must be in the future' }] });
      if (result.problem === 'deleted') throw new ApiProblem('conflict', 'the user is deleted; a deleted account cannot be changed');
      throw noUser();
    }
    const user = await getUser(knex, id);
    if (!user) throw noUser();
    return { status: 200 as const, body: { user: userView(user), sessions_revoked: result.sessionsRevoked, grants_revoked: result.grantsRevoked } };
  };

  const existing = async (id: string) => {
    const user = await getUser(knex, id);
    if (!user) throw noUser();
    return user;
  };

  return s.router(contract.admin.users, {
    list: async ({ query }) => {
      const filter = {
        emailPrefix: query.email_prefix,
        emailContains: query.email_contains,
        status: query.status,
        role: query.role,
        createdAfter: query.created_after,
        createdBefore: query.created_before,
      };
      const scope = { route: 'admin.users.list', sort: query.sort, filters: filter };
      const { items, next } = await searchUsers(knex, { ...filter, sort: query.sort }, { limit: query.limit, after: positionOf(keyring, scope, query.cursor) });
      return { status: 200, body: { items: items.map(userView), next_cursor: cursorOf(keyring, scope, next) } };
    },
    get: async ({ params, res }) => {
      const user = await existing(params.id);
      res.setHeader('ETag', etagOf(user.version));
      return { status: 200, body: userView(user) };
    },
    create: async ({ body, req, res }) => {
      refuseAdminRoleBeyondCaller(principalOf(res), body.role);
      const checked = checkOperatorUser({ email: body.email, password: body.password, name: body.name, role: body.role });
      if (!checked.ok) {
        const [code, path, message] = CREATE_PROBLEMS[checked.problem];
        throw new ApiProblem(code, `${path.slice(5)} ${message}`, { errors: [{ path, message }] });
      }
      const id = await createOperatorUser({ knex, store }, checked.user, { actor: requestActor(req, res), via: 'api' });
      if (!id) throw new ApiProblem('conflict', 'a user with this email address already exists');
      const user = await existing(id);
      res.setHeader('ETag', etagOf(user.version));
      return { status: 201, body: userView(user) };
    },
    update: async ({ params, headers, body, req, res }) => {
      const expectedVersion = requireIfMatch(headers['if-match']);
      refuseAdminRoleBeyondCaller(principalOf(res), body.role);
      const result = await updateUser({ knex, store }, params.id, body, { expectedVersion, actor: requestActor(req, res) });
      if (!result.ok) {
        if (result.problem === 'not_found') throw noUser();
        if (result.problem === 'deleted') throw new ApiProblem('conflict', 'the user is deleted; a deleted account cannot be changed');
        if (result.problem === 'username_taken') throw new ApiProblem('conflict', 'that username is taken', { errors: [{ path: 'body.username', message: 'is taken' }] });
        throw new ApiProblem('precondition_failed', 'the user has changed since you read it: GET it again and retry');
      }
      res.setHeader('ETag', etagOf(result.user.version));
      return { status: 200, body: userView(result.user) };
    },
    block: ({ params, body, req, res }) => standing(params.id, { action: 'block' }, body.reason, requestActor(req, res)),
    unblock: ({ params, body, req, res }) => standing(params.id, { action: 'unblock' }, body.reason, requestActor(req, res)),
    delete: ({ params, req, res }) => standing(params.id, { action: 'delete' }, undefined, requestActor(req, res)),
    lock: ({ params, body, req, res }) => standing(params.id, { action: 'lock', until: new Date(body.until) }, body.reason, requestActor(req, res)),
    unlock: ({ params, body, req, res }) => standing(params.id, { action: 'unlock' }, body.reason, requestActor(req, res)),
    signOut: async ({ params, body, req, res }) => {
      await existing(params.id);
      const revoked = await revokeUserSessions({ knex, store }, params.id, body.reason ?? 'signed_out_by_admin', requestActor(req, res));
      return { status: 200, body: { sessions_revoked: revoked } };
    },
    revokeGrants: async ({ params, body, req, res }) => {
      await existing(params.id);
      const client = body.client_id === undefined ? undefined : await findClientByIdOrName(knex, body.client_id);
      if (body.client_id !== undefined && !client) throw new ApiProblem('not_found', 'no such client');
      const revoked = await revokeGrants({ knex }, params.id, { clientId: client?.id, actor: requestActor(req, res), reason: body.reason ?? 'revoked_by_admin' });
      return { status: 200, body: { grants_revoked: revoked } };
    },
  });
}

import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { getInvitation, issueInvitation, listInvitations, revokeInvitation } from '../../accounts/invitations.ts';
import type { InvitationSummary } from '../../db/invitations.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiProblem } from '../problem.ts';
import { cursorOf, iso, positionOf, requestActor } from './request-actor.ts';

const s = initServer();

const invitationView = (i: InvitationSummary) => ({
  id: i.id,
  email: i.email,
  scopes: i.scopes,
  status: i.status,
  created_by: i.created_by,
  created_at: iso(i.created_at)!,
  expires_at: iso(i.expires_at),
  redeemed_by: i.redeemed_by,
  redeemed_at: iso(i.redeemed_at),
  revoked_at: iso(i.revoked_at),
});

const noInvitation = () => new ApiProblem('not_found', 'no such invitation');

/** /api/v1/admin/invitations: creation is `latchkey invitations create`'s own service; the code is in the 201 only. */
export function adminInvitations(deps: ApiDeps) {
  const { knex } = deps.db;
  const { keyring } = deps;
  return s.router(contract.admin.invitations, {
    list: async ({ query }) => {
      const filter = { status: query.status };
      const scope = { route: 'admin.invitations.list', sort: query.sort, filters: filter };
      const { items, next } = await listInvitations(knex, { ...filter, sort: query.sort }, { limit: query.limit, after: positionOf(keyring, scope, query.cursor) });
      return { status: 200, body: { items: items.map(invitationView), next_cursor: cursorOf(keyring, scope, next) } };
    },
    get: async ({ params }) => {
      const invitation = await getInvitation(knex, params.id);
      if (!invitation) throw noInvitation();
      return { status: 200, body: invitationView(invitation) };
    },
    create: async ({ body, req, res }) => {
      const issued = await issueInvitation(
        { knex, keyring, issuer: deps.config.issuer },
        { email: body.email ?? null, scopes: body.scopes, expiresInSeconds: body.expires_in },
        { actor: requestActor(req, res) },
      );
      if (!issued.ok) {
        const [path, message] =
          issued.problem === 'email_invalid' ? ['body.email', 'must be an email address like name@example.com']
          : issued.problem === 'scope_invalid' ? ['body.scopes', 'must be scope tokens']
          : ['body.expires_in', 'must be 1 second to 365 days, or null'];
        throw new ApiProblem('validation_failed', `${path.slice(5)} ${message}`, { errors: [{ path, message }] });
      }
      const invitation = await getInvitation(knex, issued.invitation.id);
      if (!invitation) throw noInvitation();
      res.setHeader('Cache-Control', 'no-store');
      return { status: 201, body: { invitation: invitationView(invitation), code: issued.invitation.code, url: issued.invitation.url } };
    },
    revoke: async ({ params, req, res }) => {
      const result = await revokeInvitation({ knex }, params.id, { actor: requestActor(req, res) });
      if (!result.ok) {
        if (result.problem === 'not_found') throw noInvitation();
        throw new ApiProblem('conflict', result.problem === 'redeemed' ? 'the invitation was already redeemed' : 'the invitation is already revoked');
      }
      const invitation = await getInvitation(knex, params.id);
      if (!invitation) throw noInvitation();
      return { status: 200, body: invitationView(invitation) };
    },
  });
}

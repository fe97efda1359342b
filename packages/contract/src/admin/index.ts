import { initContract } from '@ts-rest/core';
import { adminApiTokensContract } from './api-tokens.ts';
import { scopesContract } from './scopes.ts';
import { clientsContract } from './clients.ts';
import { resourcesContract } from './resources.ts';
import { keysContract } from './keys.ts';
import { webhooksContract } from './webhooks.ts';
import { usersContract } from './users.ts';
import { sessionsContract } from './sessions.ts';
import { grantsContract } from './grants.ts';
import { invitationsContract } from './invitations.ts';
import { auditEventsContract } from './audit-events.ts';

const c = initContract();

/** Admin routes, under /api/v1/admin. Add a resource with one line. */
export const adminContract = c.router(
  {
    scopes: scopesContract,
    clients: clientsContract,
    resources: resourcesContract,
    keys: keysContract,
    webhooks: webhooksContract,
    apiTokens: adminApiTokensContract,
    users: usersContract,
    sessions: sessionsContract,
    grants: grantsContract,
    invitations: invitationsContract,
    auditEvents: auditEventsContract,
  },
  { pathPrefix: '/admin' },
);

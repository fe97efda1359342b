import { initContract } from '@ts-rest/core';
import { scopesContract } from './scopes.ts';
import { clientsContract } from './clients.ts';
import { resourcesContract } from './resources.ts';
import { keysContract } from './keys.ts';
import { webhooksContract } from './webhooks.ts';

const c = initContract();

/** Admin routes, under /api/v1/admin. Add a resource with one line. */
export const adminContract = c.router(
  {
    scopes: scopesContract,
    clients: clientsContract,
    resources: resourcesContract,
    keys: keysContract,
    webhooks: webhooksContract,
  },
  { pathPrefix: '/admin' },
);

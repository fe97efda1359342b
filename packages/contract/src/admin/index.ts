import { initContract } from '@ts-rest/core';
import { scopesContract } from './scopes.ts';
import { webhooksContract } from './webhooks.ts';

const c = initContract();

/** Admin routes, under /api/v1/admin. Add a resource with one line. */
export const adminContract = c.router(
  {
    scopes: scopesContract,
    webhooks: webhooksContract,
  },
  { pathPrefix: '/admin' },
);

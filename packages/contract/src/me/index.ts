import { initContract } from '@ts-rest/core';

const c = initContract();

/** Account routes of the signed-in user, under /api/v1/me. Add a resource with one line. */
export const meContract = c.router(
  {
  },
  { pathPrefix: '/me' },
);

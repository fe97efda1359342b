import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs } from '../common/api-scopes.ts';
import { timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';

const c = initContract();

const clientId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'must be a client id from the app list');

export const connectedAppSchema = z
  .object({
    client_id: z.string(),
    client_name: z.string().nullable(),
    scopes: z.array(z.string()).describe('OpenID Connect scopes granted (openid, profile, email, offline_access …)'),
    resources: z.array(z.object({ resource: z.string(), scopes: z.array(z.string()) })).describe('APIs the app may call for you, with their scopes'),
    first_granted_at: timestamp,
    last_granted_at: timestamp,
    expires_at: timestamp.nullable(),
  })
  .describe('ConnectedApp');

export const connectedAppsContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/apps',
      summary: 'List the apps you have given access to your account',
      responses: { 200: z.object({ items: z.array(connectedAppSchema) }).describe('ConnectedAppList'), ...problems(401, 403) },
      metadata: needs('account'),
    },
    revoke: {
      method: 'DELETE',
      path: '/apps/:client_id',
      summary: 'Disconnect an app: its access, refresh tokens and codes stop working',
      pathParams: z.object({ client_id: clientId }),
      body: c.noBody(),
      responses: { 204: c.noBody(), ...problems(400, 401, 403, 404) },
      metadata: needs('account'),
    },
  },
  { strictStatusCodes: true },
);

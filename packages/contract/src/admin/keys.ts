import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { needs } from '../common/api-scopes.ts';
import { timestamp } from '../common/pagination.ts';
import { problems } from '../common/problem.ts';

const c = initContract();

const status = z.enum(['next', 'active', 'retired']).describe('next: published, not yet signing; active: signs; retired: verifies only');

/** A signing key's lifecycle: never any key material (the public parts are at /jwks). */
export const signingKeySchema = z
  .object({
    kid: z.string(),
    alg: z.string(),
    status,
    published: z.boolean().describe('In the JWKS; false once a retired key has expired'),
    activates_at: timestamp,
    retired_at: timestamp.nullable(),
    expires_at: timestamp.nullable().describe('When a retired key leaves the JWKS'),
  })
  .describe('SigningKey');

/** A JWK thumbprint (base64url SHA-256, RFC 7638). */
const kid = z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/, 'must be a key id');

export const keysContract = c.router(
  {
    list: {
      method: 'GET',
      path: '/keys',
      summary: 'List signing keys with their status and dates',
      query: z
        .object({
          status: status.optional(),
          alg: z.enum(['RS256', 'ES256']).optional(),
        })
        .strict(),
      responses: { 200: z.object({ items: z.array(signingKeySchema) }), ...problems(400, 401, 403) },
      metadata: needs('keys:read'),
    },
    rotate: {
      method: 'POST',
      path: '/keys/rotate',
      summary: 'Add the next key of every algorithm (published now, signing after a propagation delay, or at once with `now`)',
      body: z
        .object({
          now: z.boolean().optional().describe('Sign with the new keys immediately (emergency; replicas catch up within their refresh interval)'),
        })
        .strict(),
      responses: {
        200: z.object({ rotated: z.array(z.object({ kid: z.string(), alg: z.string(), activates_at: timestamp })) }),
        ...problems(400, 401, 403),
      },
      metadata: needs('keys:write'),
    },
    revoke: {
      method: 'POST',
      path: '/keys/:kid/revoke',
      summary: 'Remove a compromised key from every replica\'s JWKS at once; tokens it signed stop verifying',
      pathParams: z.object({ kid }),
      body: c.noBody(),
      responses: {
        200: z.object({
          kid: z.string(),
          alg: z.string(),
          was: status.describe('Its status when revoked'),
          active: z
            .object({ kid: z.string(), created: z.boolean() })
            .nullable()
            .describe('The key that signs for its algorithm from now on, when the revoked one was signing'),
        }),
        ...problems(400, 401, 403, 404),
      },
      metadata: needs('keys:write'),
    },
  },
  { strictStatusCodes: true },
);

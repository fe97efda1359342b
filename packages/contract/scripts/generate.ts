import { isAppRoute, type AppRoute, type AppRouter } from '@ts-rest/core';
import type { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { API_SCOPES, type RouteMetadata } from '../src/common/api-scopes.ts';
import { ERRORS, ERROR_CODES, problemType } from '../src/common/errors.ts';
import { PROBLEM_CONTENT_TYPE, problemSchema } from '../src/common/problem.ts';
import { contract } from '../src/index.ts';
import pkg from '../package.json' with { type: 'json' };

/**
 * OpenAPI 3.1 from the ts-rest contract: one operation per route, schemas
 * converted from zod (JSON Schema, which 3.1 uses as is), problem responses
 * by reference, scopes from each route's metadata. Output is deterministic
 * (key order follows the contract) so the committed file can be compared.
 */

type Json = Record<string, unknown>;

const toSchema = (schema: z.ZodTypeAny): Json => {
  const { $schema: _ignored, ...rest } = zodToJsonSchema(schema, { target: 'jsonSchema7', $refStrategy: 'none', effectStrategy: 'input' }) as Json;
  return rest;
};

const isZod = (value: unknown): value is z.ZodTypeAny => typeof (value as { safeParse?: unknown } | null)?.safeParse === 'function';

/** The object shape behind a zod object (or an object wrapped in refinements). */
function shapeOf(schema: unknown): Record<string, z.ZodTypeAny> {
  let current = schema as { _def?: { typeName?: string; schema?: unknown; innerType?: unknown }; shape?: Record<string, z.ZodTypeAny> } | undefined;
  while (current?._def && current._def.typeName !== 'ZodObject') current = (current._def.schema ?? current._def.innerType) as typeof current;
  return current?.shape ?? {};
}

function parameters(where: 'path' | 'query' | 'header', schema: unknown): Json[] {
  return Object.entries(shapeOf(schema)).map(([name, field]) => {
    const { description, ...fieldSchema } = toSchema(field);
    return {
      name,
      in: where,
      required: where === 'path' || !field.isOptional(),
      ...(description ? { description } : {}),
      schema: fieldSchema,
    };
  });
}

const camel = (parts: string[]) => parts.map((part, i) => (i ? part[0]!.toUpperCase() + part.slice(1) : part)).join('').replace(/[^A-Za-z0-9]/g, '');

function responses(route: AppRoute, metadata: RouteMetadata): Json {
  const out: Json = {};
  for (const [status, response] of Object.entries(route.responses)) {
    const code = Number(status);
    const other = response as { contentType?: string; body?: unknown };
    if (other?.contentType === PROBLEM_CONTENT_TYPE) {
      out[status] = { $ref: `#/components/responses/Problem${status}` };
    } else if (isZod(response)) {
      out[status] = {
        description: code === 201 ? 'Created' : 'OK',
        ...(metadata.etag && (code === 200 || code === 201) ? { headers: { ETag: { $ref: '#/components/headers/ETag' } } } : {}),
        content: { 'application/json': { schema: toSchema(response) } },
      };
    } else {
      out[status] = { description: code === 204 ? 'No content' : 'OK' };
    }
  }
  return out;
}

function operations(router: AppRouter, keys: string[], paths: Json): void {
  for (const [key, value] of Object.entries(router)) {
    if (!isAppRoute(value)) {
      operations(value as AppRouter, [...keys, key], paths);
      continue;
    }
    const route = value as AppRoute;
    const metadata = route.metadata as RouteMetadata;
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const scopes = [...metadata.scopes];
    const body = 'body' in route && isZod(route.body) ? route.body : undefined;
    const operation: Json = {
      operationId: camel([...keys, key]),
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [keys.join('/')],
      security: [{ oauth2: scopes }, { bearer: scopes }, { dpop: scopes }],
      parameters: [...parameters('path', route.pathParams), ...parameters('query', route.query), ...parameters('header', route.headers)],
      ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(body) } } } } : {}),
      responses: responses(route, metadata),
    };
    if (!(operation.parameters as Json[]).length) delete operation.parameters;
    const item = (paths[path] ??= {}) as Json;
    item[route.method.toLowerCase()] = operation;
  }
}

function tagsOf(router: AppRouter, keys: string[] = []): string[] {
  return Object.entries(router).flatMap(([key, value]) => (isAppRoute(value) ? [keys.join('/')] : tagsOf(value as AppRouter, [...keys, key])));
}

export function generateOpenApi(): Json {
  const paths: Json = {};
  operations(contract, [], paths);
  const tags = [...new Set(tagsOf(contract))].map((name) => ({
    name,
    description: name.startsWith('admin/') ? `Administration: ${name.slice(6).replaceAll('-', ' ')}` : `Your account: ${name.slice(3).replaceAll('-', ' ')}`,
  }));
  // Only statuses some route declares (an unused component is a lint warning).
  const used = new Set([...JSON.stringify(paths).matchAll(/#\/components\/responses\/Problem(\d+)/g)].map((m) => Number(m[1])));
  const problemResponses = Object.fromEntries(
    [...new Set(ERROR_CODES.map((code) => ERRORS[code].status))].filter((status) => used.has(status)).map((status) => [
      `Problem${status}`,
      {
        description: ERROR_CODES.filter((code) => ERRORS[code].status === status).map((code) => `\`${code}\`: ${ERRORS[code].title}`).join('; '),
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    ]),
  );
  const scopes = { ...API_SCOPES };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Latchkey API',
      version: pkg.version,
      summary: 'Admin and account REST API of a Latchkey identity provider',
      description:
        'Authenticate with an access token for the resource `<issuer>/api` (client credentials, or a user through the authorization code flow; DPoP-bound tokens with the DPoP scheme) or a personal API token (`lk_pat_…`). Errors are RFC 9457 problem details with a stable `code`. Lists page with opaque `next_cursor`s; updates need `If-Match` with the ETag from GET.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'The Latchkey server (its issuer URL)' }],
    tags,
    paths,
    components: {
      schemas: { Problem: toSchema(problemSchema) },
      responses: problemResponses,
      headers: {
        ETag: { description: 'Version of the resource; send it back in If-Match to update', schema: { type: 'string' } },
      },
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          description: 'Access tokens for the resource `<issuer>/api` (request them with `resource=<issuer>/api`)',
          flows: {
            clientCredentials: { tokenUrl: '/token', scopes },
            authorizationCode: { authorizationUrl: '/auth', tokenUrl: '/token', scopes },
          },
        },
        bearer: { type: 'http', scheme: 'bearer', description: 'A Latchkey access token (JWT) or a personal API token (lk_pat_…)' },
        dpop: { type: 'http', scheme: 'DPoP', description: 'A DPoP-bound access token with a DPoP proof header (RFC 9449)' },
      },
    },
  };
}

/** docs/api-errors.md, from the catalogue. */
export function generateErrorDocs(): string {
  const rows = ERROR_CODES.map((code) => `| \`${code}\` | ${ERRORS[code].status} | ${ERRORS[code].title} | ${ERRORS[code].meaning} |`);
  return [
    '# API errors',
    '',
    '<!-- Generated from packages/contract/src/common/errors.ts by `pnpm openapi`; do not edit by hand. -->',
    '',
    'Every error of the REST API is an RFC 9457 problem (`Content-Type: application/problem+json`):',
    '',
    '```json',
    JSON.stringify({ type: problemType('validation_failed'), title: 'Validation failed', status: 400, code: 'validation_failed', detail: 'the request is not valid: see errors', errors: [{ path: 'body.role', message: 'unknown field' }] }, null, 2),
    '```',
    '',
    'Branch on `code` (stable); `type` is `urn:latchkey:problem:<code>`; `title` and `detail` are for people and may change. 401 and 403 answers also carry an RFC 6750 `WWW-Authenticate` header.',
    '',
    '| code | status | title | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

export const serialize = (document: unknown): string => `${JSON.stringify(document, null, 2)}\n`;

import type { Knex } from 'knex';
import { resolveApiResource } from '../oidc/resources.ts';
import { en, type MessageId } from './i18n/en.ts';
import { t } from './i18n/index.ts';

/**
 * What a client asks for, in words a person can judge: each scope with the
 * description an operator gave it in the `scopes` table (or our wording for
 * the standard OIDC scopes), and each API by its name. Shared by the consent
 * page and the device confirmation page so both say the same thing.
 */
export type DescribedScope = { name: string; description: string };
export type DescribedApi = { identifier: string; name: string; scopes: DescribedScope[] };
export type RequestedAccess = { scopes: DescribedScope[]; claims: string[]; apis: DescribedApi[] };

export type AccessRequest = {
  /** OpenID Connect scopes (openid, profile, …). */
  scopes: readonly string[];
  /** Individual claims asked for with the `claims` parameter. */
  claims?: readonly string[];
  /** API identifier → its scopes (RFC 8707 resource indicators). */
  apis?: Readonly<Record<string, readonly string[]>>;
};

// Claims every ID token carries anyway; listing them would only confuse.
const PROTOCOL_CLAIMS = new Set(['sub', 'sid', 'auth_time', 'acr', 'amr', 'iss']);

function fallbackDescription(scope: string): string {
  const id = `scope.${scope}`;
  return id in en ? t(id as MessageId) : scope;
}

export async function describeAccess(deps: { knex: Knex; issuer: string }, request: AccessRequest): Promise<RequestedAccess> {
  const { knex } = deps;
  const apiEntries = Object.entries(request.apis ?? {});
  const names = [...new Set([...request.scopes, ...apiEntries.flatMap(([, scopes]) => scopes)])];
  const rows: Array<{ name: string; description: string }> = names.length
    ? await knex('scopes').select('name', 'description').whereIn('name', names)
    : [];
  const described = new Map(rows.map((row) => [row.name, row.description]));
  const describe = (name: string): DescribedScope => ({ name, description: described.get(name) ?? fallbackDescription(name) });

  const apis = await Promise.all(
    apiEntries.map(async ([identifier, scopes]) => {
      // `<issuer>/api` is the built-in row: named like any other API.
      const resource = await resolveApiResource(knex, deps.issuer, identifier);
      return { identifier, name: resource?.name ?? identifier, scopes: [...new Set(scopes)].map(describe) };
    }),
  );
  return {
    scopes: [...new Set(request.scopes)].map(describe),
    claims: [...new Set(request.claims ?? [])].filter((claim) => !PROTOCOL_CLAIMS.has(claim)),
    apis,
  };
}

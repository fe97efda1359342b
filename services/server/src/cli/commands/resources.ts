import { defineScope } from '../../scopes/manage.ts';
import { createResourceWithCredentials } from '../../resources/introspection-client.ts';
import { MAX_RESOURCE_TOKEN_TTL, MIN_TOKEN_TTL, SIGNING_ALGS } from '../../resources/manage.ts';
import type { CommandModule } from '../context.ts';

// Messages name the flags the operator typed.
const FLAGS = { identifier: '--identifier', name: '--name', scopes: '--scope', token_ttl: '--token-ttl', signing_alg: '--signing-alg' };

export const resources: CommandModule = (program, ctx) => {
  program
    .command('resources')
    .description('APIs that receive JWT access tokens (RFC 8707 resource indicators, RFC 9068 tokens)')
    .command('create')
    .description('register an API by its identifier URL; prints its introspection credentials once')
    .requiredOption('--identifier <url>', 'the API\'s identifier, e.g. https://api.example.com (used as the token audience)')
    .option('--scope <scopes>', 'space-separated scopes the API understands', '')
    .option('--name <name>', 'display name')
    .option('--token-ttl <seconds>', `access-token lifetime (${MIN_TOKEN_TTL} to ${MAX_RESOURCE_TOKEN_TTL})`, '3600')
    .option('--signing-alg <alg>', `JWS algorithm (${SIGNING_ALGS.join(' or ')})`, 'RS256')
    .option('--signals', 'the introspection credentials may also receive this API\'s Shared Signals (client credentials, scope ssf only)')
    .action(async (options: { identifier: string; scope: string; name?: string; tokenTtl: string; signingAlg: string; signals?: boolean }) => {
      const { resource: row, credentials } = await createResourceWithCredentials(
        { knex: (await ctx.db()).knex, issuer: ctx.config().issuer, keyring: await ctx.keyring() },
        {
          identifier: options.identifier,
          name: options.name ?? null,
          scopes: options.scope.split(/\s+/).filter(Boolean),
          // Not a number: the service's range check names the flag.
          token_ttl: Number(options.tokenTtl),
          signing_alg: options.signingAlg,
        },
        { actor: { actorType: 'operator', actorId: 'cli' }, fieldNames: FLAGS, signals: options.signals === true },
      );
      ctx.print(
        { id: row.id, identifier: row.identifier, scopes: row.scopes, token_ttl: row.token_ttl, signing_alg: row.signing_alg, ...credentials },
        `registered API ${row.identifier} (scopes: ${row.scopes.join(' ') || 'none'})\n` +
          `introspection_client_id:     ${credentials.introspection_client_id}\n` +
          `introspection_client_secret: ${credentials.introspection_client_secret}\n` +
          'The secret is shown only now; the API uses these to introspect tokens issued for it.',
      );
    });

  program
    .command('scopes')
    .description('scopes and the descriptions shown on consent screens')
    .command('create')
    .description('create a scope, or change its description')
    .argument('<scope>', 'the scope string, e.g. read:posts')
    .requiredOption('--description <text>', 'what the user is agreeing to, in plain words')
    .action(async (scope: string, options: { description: string }) => {
      // The same implementation as /api/v1/admin/scopes (validation, audit event).
      const row = await defineScope((await ctx.db()).knex, { name: scope, description: options.description }, { actorType: 'operator', actorId: 'cli' });
      ctx.print({ scope: row.name, description: row.description }, `scope ${row.name}: ${row.description}`);
    });
};

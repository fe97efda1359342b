import { insertApiResource } from '../../db/api-resources.ts';
import { defineScope } from '../../scopes/manage.ts';
import { MAX_RESOURCE_TOKEN_TTL } from '../../oidc/configuration.ts';
import { CliError, type CommandModule } from '../context.ts';

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const SIGNING_ALGS = ['RS256', 'ES256'];

export const resources: CommandModule = (program, ctx) => {
  program
    .command('resources')
    .description('APIs that receive JWT access tokens (RFC 8707 resource indicators, RFC 9068 tokens)')
    .command('create')
    .description('register an API by its identifier URL')
    .requiredOption('--identifier <url>', 'the API\'s identifier, e.g. https://api.example.com (used as the token audience)')
    .option('--scope <scopes>', 'space-separated scopes the API understands', '')
    .option('--name <name>', 'display name')
    .option('--token-ttl <seconds>', `access-token lifetime (60 to ${MAX_RESOURCE_TOKEN_TTL})`, '3600')
    .option('--signing-alg <alg>', `JWS algorithm (${SIGNING_ALGS.join(' or ')})`, 'RS256')
    .action(async (options: { identifier: string; scope: string; name?: string; tokenTtl: string; signingAlg: string }) => {
      let url: URL;
      try {
        url = new URL(options.identifier);
      } catch {
        throw new CliError('--identifier must be an absolute URL such as https://api.example.com');
      }
      if (!['https:', 'http:'].includes(url.protocol) || url.hash || options.identifier.includes('#')) {
        throw new CliError('--identifier must be an http(s) URL without a fragment');
      }
      const ttl = Number(options.tokenTtl);
      if (!Number.isInteger(ttl) || ttl < 60 || ttl > MAX_RESOURCE_TOKEN_TTL) {
        throw new CliError(`--token-ttl must be a whole number of seconds from 60 to ${MAX_RESOURCE_TOKEN_TTL}`);
      }
      if (!SIGNING_ALGS.includes(options.signingAlg)) throw new CliError(`--signing-alg must be ${SIGNING_ALGS.join(' or ')}`);
      const scopes = [...new Set(options.scope.split(/\s+/).filter(Boolean))];
      if (scopes.some((s) => !SCOPE_TOKEN.test(s))) throw new CliError('--scope must be space-separated scope tokens');
      const row = await insertApiResource((await ctx.db()).knex, {
        identifier: options.identifier,
        name: options.name ?? null,
        scopes,
        access_token_ttl: ttl,
        signing_alg: options.signingAlg,
      });
      if (!row) throw new CliError(`an API with identifier ${options.identifier} already exists`);
      ctx.print(
        { id: row.id, identifier: row.identifier, scopes: row.scopes, token_ttl: row.access_token_ttl, signing_alg: row.signing_alg },
        `registered API ${row.identifier} (scopes: ${row.scopes.join(' ') || 'none'})`,
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

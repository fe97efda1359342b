import { listSigningKeys, rotateSigningKeys, DEFAULT_PROPAGATION_SECONDS } from '../../oidc/keys.ts';
import type { CommandModule } from '../context.ts';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** `latchkey keys list|rotate`: inspect and rotate the token signing keys. */
export const registerKeysCommands: CommandModule = (program, ctx) => {
  const keys = program.command('keys').description('token signing keys (JWKS)');

  keys
    .command('list')
    .description('list signing keys with their status and lifecycle dates')
    .action(async () => {
      const list = await listSigningKeys({ db: await ctx.db() });
      const rows = list.map((key) => ({
        kid: key.kid,
        alg: key.alg,
        status: key.status,
        published: key.published,
        activates_at: iso(key.activates_at),
        retired_at: iso(key.retired_at),
        expires_at: iso(key.expires_at),
      }));
      const human =
        rows.length === 0
          ? 'No signing keys yet (they are created when the server first starts).'
          : rows
              .map((r) =>
                [
                  r.alg.padEnd(6),
                  r.status.padEnd(7),
                  r.kid,
                  `activates ${r.activates_at}`,
                  r.retired_at ? `retires ${r.retired_at}` : '',
                  // A retired key's expiry is settled by the running server, which knows the token lifetimes.
                  r.retired_at ? `unpublished ${r.expires_at ?? 'once a server has settled it'}` : '',
                ]
                  .filter(Boolean)
                  .join('  '),
              )
              .join('\n');
      ctx.print({ keys: rows }, human);
    });

  keys
    .command('rotate')
    .description(
      `add the next RS256 and ES256 keys: published now, signing after ${DEFAULT_PROPAGATION_SECONDS} s once every replica has them`,
    )
    .option('--now', 'sign with the new keys immediately (emergency; replicas catch up within their refresh interval)')
    .action(async (options: { now?: boolean }) => {
      const { rotated } = await rotateSigningKeys({ db: await ctx.db(), keyring: await ctx.keyring(), immediate: options.now === true });
      const rows = rotated.map((key) => ({ kid: key.kid, alg: key.alg, activates_at: iso(key.activates_at) }));
      ctx.print(
        { rotated: rows },
        rows.map((r) => `${r.alg.padEnd(6)} ${r.kid}  signs from ${r.activates_at}`).join('\n'),
      );
    });
};

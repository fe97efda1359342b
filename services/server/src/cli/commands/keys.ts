import { reencryptTotpSeeds } from '../../db/totp-seeds.ts';
import { reencryptWebhookSecrets } from '../../db/webhooks.ts';
import { recordAuditEvent } from '../../events/audit.ts';
import { HttpError } from '../../http/errors.ts';
import { listKeys, revokeKey, rotateKeys } from '../../keys/manage.ts';
import { reencryptSigningKeys, DEFAULT_PROPAGATION_SECONDS } from '../../oidc/keys.ts';
import { CliError, type CommandModule } from '../context.ts';
import { withStore } from '../with-store.ts';

/** Key changes made here are the operator's, recorded as actor `cli`. */
const OPERATOR = { actorType: 'operator', actorId: 'cli' } as const;

/** `latchkey keys list|rotate|revoke|re-encrypt`: inspect and change the token signing keys. */
export const registerKeysCommands: CommandModule = (program, ctx) => {
  const keys = program.command('keys').description('token signing keys (JWKS)');

  keys
    .command('list')
    .description('list signing keys with their status and lifecycle dates')
    .action(async () => {
      const rows = await listKeys({ db: await ctx.db() });
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
      const deps = { db: await ctx.db(), keyring: await ctx.keyring() };
      const rows = await withStore(ctx, (store) => rotateKeys({ ...deps, store }, { actor: OPERATOR, immediate: options.now === true }));
      ctx.print(
        { rotated: rows },
        rows.map((r) => `${r.alg.padEnd(6)} ${r.kid}  signs from ${r.activates_at}`).join('\n'),
      );
    });

  keys
    .command('revoke')
    .description('remove a compromised signing key now: unpublished on every replica at once, tokens it signed stop verifying')
    .argument('<kid>', 'the key id, as `keys list` shows it')
    // Generated ids may start with '-' (base64url): taken as the id, not refused as an unknown option.
    .allowUnknownOption()
    .action(async (kid: string) => {
      const deps = { db: await ctx.db(), keyring: await ctx.keyring() };
      const revoked = await withStore(ctx, (store) => revokeKey({ ...deps, store }, kid, { actor: OPERATOR })).catch((error: unknown) => {
        if (error instanceof HttpError && error.status === 404) throw new CliError(`${error.message} (see \`latchkey keys list\`)`);
        throw error;
      });
      const { active } = revoked;
      ctx.print(
        { revoked: { kid: revoked.kid, alg: revoked.alg, status: revoked.was }, active },
        [
          `revoked ${revoked.alg} ${revoked.kid} (was ${revoked.was}); tokens it signed no longer verify`,
          active ? `${revoked.alg} now signs with ${active.kid}${active.created ? ' (new key)' : ''}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });

  keys
    .command('re-encrypt')
    .description('re-encrypt signing keys, TOTP seeds and webhook secrets under the newest secret in LATCHKEY_SECRETS (safe to repeat)')
    .action(async () => {
      const db = await ctx.db();
      const keyring = await ctx.keyring();
      const signing = await reencryptSigningKeys({ db, keyring });
      const totp = await reencryptTotpSeeds(db.knex, keyring);
      const webhooks = await reencryptWebhookSecrets(db.knex, keyring);
      if (signing.reencrypted.length || totp.reencrypted || webhooks.reencrypted) {
        await recordAuditEvent(db.knex, {
          type: 'secrets.reencrypted',
          ...OPERATOR,
          data: { signing_keys: signing.reencrypted, totp_seeds: totp.reencrypted, webhook_secrets: webhooks.reencrypted },
        });
      }
      ctx.print(
        {
          signing_keys: { reencrypted: signing.reencrypted.length, total: signing.total },
          totp_seeds: { reencrypted: totp.reencrypted, total: totp.total },
          webhook_secrets: { reencrypted: webhooks.reencrypted, total: webhooks.total },
        },
        `re-encrypted ${signing.reencrypted.length} of ${signing.total} signing keys, ${totp.reencrypted} of ${totp.total} TOTP seeds and ${webhooks.reencrypted} of ${webhooks.total} webhook secrets under the newest secret`,
      );
    });
};

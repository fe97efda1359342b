import type { Knex } from 'knex';
import { reencryptTotpSeeds } from '../../db/totp-seeds.ts';
import { recordAuditEvent, type AuditEventType } from '../../events/audit.ts';
import { publishAfterCommit } from '../../events/publish.ts';
import { listSigningKeys, reencryptSigningKeys, revokeSigningKey, rotateSigningKeys, DEFAULT_PROPAGATION_SECONDS } from '../../oidc/keys.ts';
import { createStore, type Store } from '../../store/index.ts';
import { CliError, type CliContext, type CommandModule } from '../context.ts';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The operator's key change, as an audit event in the transaction that made it. */
const audit = (type: AuditEventType, trx: Knex, subject: { type: string; id: string } | undefined, data: Record<string, unknown>) =>
  recordAuditEvent(trx, { type, actorType: 'operator', actorId: 'cli', subject, data });

/**
 * Runs `work` with the deployment's store, so running replicas hear about the
 * change (Redis pub/sub) and reload their keys at once rather than at their
 * next poll. Without REDIS_URL there is no channel: they poll.
 */
async function withStore<T>(ctx: CliContext, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await createStore({ redisUrl: ctx.config().redisUrl });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** `latchkey keys list|rotate|revoke|re-encrypt`: inspect and change the token signing keys. */
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
      const db = await ctx.db();
      const keyring = await ctx.keyring();
      const { rotated } = await withStore(ctx, (store) =>
        rotateSigningKeys({
          db,
          keyring,
          immediate: options.now === true,
          record: async (trx, added) => {
            for (const key of added) await audit('signing_key.rotated', trx, { type: 'signing_key', id: key.kid }, { alg: key.alg, activates_at: key.activates_at.toISOString(), immediate: options.now === true });
            publishAfterCommit(trx, store, 'signing-keys:changed', { reason: 'rotated' });
          },
        }),
      );
      const rows = rotated.map((key) => ({ kid: key.kid, alg: key.alg, activates_at: iso(key.activates_at) }));
      ctx.print(
        { rotated: rows },
        rows.map((r) => `${r.alg.padEnd(6)} ${r.kid}  signs from ${r.activates_at}`).join('\n'),
      );
    });

  keys
    .command('revoke')
    .description('remove a compromised signing key now: unpublished on every replica at once, tokens it signed stop verifying')
    .argument('<kid>', 'the key id, as `keys list` shows it')
    .action(async (kid: string) => {
      const db = await ctx.db();
      const keyring = await ctx.keyring();
      const revoked = await withStore(ctx, (store) =>
        revokeSigningKey({
          db,
          keyring,
          kid,
          record: async (trx, result) => {
            await audit('signing_key.revoked', trx, { type: 'signing_key', id: result.kid }, { alg: result.alg, was: result.was, replaced_by: result.replacedBy?.kid ?? null });
            publishAfterCommit(trx, store, 'signing-keys:changed', { reason: 'revoked' });
          },
        }),
      );
      if (!revoked) throw new CliError(`no signing key with kid ${kid} (see \`latchkey keys list\`)`);
      const active = revoked.replacedBy ? { kid: revoked.replacedBy.kid, created: revoked.replacedBy.created } : null;
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
    .description('re-encrypt signing keys and TOTP seeds under the newest secret in LATCHKEY_SECRETS (safe to repeat)')
    .action(async () => {
      const db = await ctx.db();
      const keyring = await ctx.keyring();
      const signing = await reencryptSigningKeys({ db, keyring });
      const totp = await reencryptTotpSeeds(db.knex, keyring);
      if (signing.reencrypted.length || totp.reencrypted) {
        await audit('secrets.reencrypted', db.knex, undefined, { signing_keys: signing.reencrypted, totp_seeds: totp.reencrypted });
      }
      ctx.print(
        {
          signing_keys: { reencrypted: signing.reencrypted.length, total: signing.total },
          totp_seeds: { reencrypted: totp.reencrypted, total: totp.total },
        },
        `re-encrypted ${signing.reencrypted.length} of ${signing.total} signing keys and ${totp.reencrypted} of ${totp.total} TOTP seeds under the newest secret`,
      );
    });
};
